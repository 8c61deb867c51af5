/**
 * What the benchmark runs: the servers (one Node process each), the measured targets
 * (a request pattern against one server) and the comparisons bench/README.md reports.
 */

/** `auth101`: auth101's sign-up answers a Bearer token (the SQL anchors answer it too). */
export type AccountKind = "auth101" | "better-auth" | "none";

export interface ServerSpec {
  readonly id: string;
  /** File under dist/servers. */
  readonly script: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly label: string;
  /** How the harness gets a signed-in user on it: auth101's sign-up, better-auth's, or not at all. */
  readonly account: AccountKind;
  /** An auth101 server (the memory table marks it). */
  readonly isAuth101: boolean;
}

/**
 * How a target is driven:
 * - `session`: `GET` with each account's Bearer token or cookie, round and round (autocannon);
 * - `sign-in`: a storm of correct sign-ins, the trivial route sampled during it;
 * - `reset-request`: `POST {email}` for each account, round and round (autocannon);
 * - `sign-out`, `sign-out-all`: one `POST` per fresh session (accounts signed up before the run);
 * - `change-password`: every connection changes its own account's password back and forth,
 *   each time with the token the previous change answered.
 */
export type TargetKind = "session" | "sign-in" | "reset-request" | "sign-out" | "sign-out-all" | "change-password";

export interface TargetSpec {
  /** `session:<server>` or `sign-in:<server>`. */
  readonly id: string;
  readonly kind: TargetKind;
  readonly server: string;
  readonly path: string;
  readonly label: string;
  /**
   * Targets compared with one another: a round runs them back to back, in the opposite order
   * in the next round (A B, then B A), so that a slow drift of the machine cancels out.
   */
  readonly group: string;
  /** Sign-in storms: a CPU-bound process runs beside the server for the whole run (case 4). */
  readonly besideBusyProcess?: boolean;
}

export interface RatioComparison {
  readonly kind: "ratio";
  readonly case: string;
  readonly label: string;
  readonly numerator: string;
  readonly denominator: string;
  /** The target, if it sets one: the ratio must be at least this. */
  readonly atLeast?: number;
}

export interface StormLatencyCheck {
  readonly kind: "storm-p99";
  readonly case: string;
  readonly label: string;
  /** A sign-in target: its trivial-route p99 during the storm, against its idle p99. */
  readonly target: string;
  /** The target, if it sets one: storm p99 must be under this many milliseconds. */
  readonly underMs?: number;
}

export type Comparison = RatioComparison | StormLatencyCheck;

const AUTH101_SESSION = "/auth/session";
const AUTH101_SIGN_IN = "/auth/sign-in/email";

export const SERVERS: readonly ServerSpec[] = [
  { id: "express-bare", script: "express-bare.js", label: "Express, bare route", account: "none", isAuth101: false },
  {
    id: "express-auth101",
    script: "express-auth101.js",
    label: "@auth101/express (memory store)",
    account: "auth101",
    isAuth101: true,
  },
  {
    id: "express-auth101-sqlite",
    script: "express-auth101.js",
    env: { BENCH_STORE: "prisma-sqlite" },
    label: "@auth101/express + store-prisma, SQLite",
    account: "auth101",
    isAuth101: true,
  },
  {
    id: "express-auth101-postgres",
    script: "express-auth101.js",
    env: { BENCH_STORE: "prisma-postgres" },
    label: "@auth101/express + store-prisma, PostgreSQL",
    account: "auth101",
    isAuth101: true,
  },
  {
    id: "sqlite-anchor",
    script: "sql-anchor.js",
    env: { BENCH_STORE: "prisma-sqlite" },
    label: "Express + @libsql/client, one join (SQLite limit)",
    account: "auth101",
    isAuth101: false,
  },
  {
    id: "postgres-anchor",
    script: "sql-anchor.js",
    env: { BENCH_STORE: "prisma-postgres" },
    label: "Express + pg, one join (PostgreSQL limit)",
    account: "auth101",
    isAuth101: false,
  },
  {
    id: "express-auth101-endpoints",
    script: "express-auth101.js",
    label: "@auth101/express (memory store), the session endpoints",
    account: "auth101",
    isAuth101: true,
  },
  { id: "koa-bare", script: "koa-bare.js", label: "Koa, bare route", account: "none", isAuth101: false },
  {
    id: "koa-auth101",
    script: "koa-auth101.js",
    label: "@auth101/koa (memory store)",
    account: "auth101",
    isAuth101: true,
  },
  { id: "nest-bare", script: "nest-bare.js", label: "NestJS, bare route", account: "none", isAuth101: false },
  {
    id: "nest-auth101",
    script: "nest-auth101.js",
    label: "@auth101/nestjs (memory store)",
    account: "auth101",
    isAuth101: true,
  },
  {
    id: "nest-fastify-bare",
    script: "nest-bare.js",
    env: { NEST_PLATFORM: "fastify" },
    label: "NestJS on Fastify, bare route",
    account: "none",
    isAuth101: false,
  },
  {
    id: "nest-fastify-auth101",
    script: "nest-auth101.js",
    env: { NEST_PLATFORM: "fastify" },
    label: "@auth101/nestjs on Fastify (memory store)",
    account: "auth101",
    isAuth101: true,
  },
  {
    id: "express-argon2",
    script: "express-argon2.js",
    label: "Express, bare Argon2id verify",
    account: "none",
    isAuth101: false,
  },
  {
    id: "better-auth",
    script: "better-auth.js",
    label: "better-auth on Express (better-sqlite3)",
    account: "better-auth",
    isAuth101: false,
  },
];

export const TARGETS: readonly TargetSpec[] = [
  {
    id: "session:express-bare",
    kind: "session",
    server: "express-bare",
    group: "express",
    path: AUTH101_SESSION,
    label: "GET /auth/session, Express bare",
  },
  {
    id: "session:express-auth101",
    kind: "session",
    server: "express-auth101",
    group: "express",
    path: AUTH101_SESSION,
    label: "GET /auth/session, @auth101/express",
  },
  {
    id: "session:sqlite-anchor",
    kind: "session",
    server: "sqlite-anchor",
    group: "sqlite",
    path: AUTH101_SESSION,
    label: "GET /auth/session, Express + @libsql/client join (limit)",
  },
  {
    id: "session:express-auth101-sqlite",
    kind: "session",
    server: "express-auth101-sqlite",
    group: "sqlite",
    path: AUTH101_SESSION,
    label: "GET /auth/session, @auth101/express, Prisma SQLite",
  },
  {
    id: "session:better-auth",
    kind: "session",
    server: "better-auth",
    group: "sqlite",
    path: "/api/auth/get-session",
    label: "GET /api/auth/get-session, better-auth (better-sqlite3)",
  },
  {
    id: "session:postgres-anchor",
    kind: "session",
    server: "postgres-anchor",
    group: "postgres",
    path: AUTH101_SESSION,
    label: "GET /auth/session, Express + pg join (limit)",
  },
  {
    id: "session:express-auth101-postgres",
    kind: "session",
    server: "express-auth101-postgres",
    group: "postgres",
    path: AUTH101_SESSION,
    label: "GET /auth/session, @auth101/express, Prisma PostgreSQL",
  },
  {
    id: "session:koa-bare",
    kind: "session",
    server: "koa-bare",
    group: "koa",
    path: AUTH101_SESSION,
    label: "GET /auth/session, Koa bare",
  },
  {
    id: "session:koa-auth101",
    kind: "session",
    server: "koa-auth101",
    group: "koa",
    path: AUTH101_SESSION,
    label: "GET /auth/session, @auth101/koa",
  },
  {
    id: "session:nest-bare",
    kind: "session",
    server: "nest-bare",
    group: "nest",
    path: AUTH101_SESSION,
    label: "GET /auth/session, Nest bare",
  },
  {
    id: "session:nest-auth101",
    kind: "session",
    server: "nest-auth101",
    group: "nest",
    path: AUTH101_SESSION,
    label: "GET /auth/session, @auth101/nestjs",
  },
  {
    id: "session:nest-fastify-bare",
    kind: "session",
    server: "nest-fastify-bare",
    group: "nest-fastify",
    path: AUTH101_SESSION,
    label: "GET /auth/session, Nest on Fastify bare",
  },
  {
    id: "session:nest-fastify-auth101",
    kind: "session",
    server: "nest-fastify-auth101",
    group: "nest-fastify",
    path: AUTH101_SESSION,
    label: "GET /auth/session, @auth101/nestjs on Fastify",
  },
  {
    id: "sign-in:express-auth101",
    kind: "sign-in",
    server: "express-auth101",
    group: "sign-in",
    path: AUTH101_SIGN_IN,
    label: "POST /auth/sign-in/email, @auth101/express",
  },
  {
    id: "sign-in:express-argon2",
    kind: "sign-in",
    server: "express-argon2",
    group: "sign-in",
    path: AUTH101_SIGN_IN,
    label: "POST sign-in, bare Argon2id verify",
  },
  {
    id: "sign-in:better-auth",
    kind: "sign-in",
    server: "better-auth",
    group: "sign-in",
    path: "/api/auth/sign-in/email",
    label: "POST /api/auth/sign-in/email, better-auth",
  },
  {
    id: "sign-in-busy:express-auth101",
    kind: "sign-in",
    server: "express-auth101",
    group: "sign-in-busy",
    path: AUTH101_SIGN_IN,
    label: "POST /auth/sign-in/email, @auth101/express, CPU-bound process beside",
    besideBusyProcess: true,
  },
  {
    id: "sign-in-busy:express-argon2",
    kind: "sign-in",
    server: "express-argon2",
    group: "sign-in-busy",
    path: AUTH101_SIGN_IN,
    label: "POST sign-in, bare Argon2id verify, CPU-bound process beside",
    besideBusyProcess: true,
  },
  {
    id: "endpoint:sessions",
    kind: "session",
    server: "express-auth101-endpoints",
    group: "endpoints",
    path: "/auth/sessions",
    label: "GET /auth/sessions, @auth101/express",
  },
  {
    id: "endpoint:request-password-reset",
    kind: "reset-request",
    server: "express-auth101-endpoints",
    group: "endpoints",
    path: "/auth/request-password-reset",
    label: "POST /auth/request-password-reset, @auth101/express",
  },
  {
    id: "endpoint:sign-out",
    kind: "sign-out",
    server: "express-auth101-endpoints",
    group: "endpoints",
    path: "/auth/sign-out",
    label: "POST /auth/sign-out, @auth101/express",
  },
  {
    id: "endpoint:sign-out-all",
    kind: "sign-out-all",
    server: "express-auth101-endpoints",
    group: "endpoints",
    path: "/auth/sign-out/all",
    label: "POST /auth/sign-out/all, @auth101/express",
  },
  {
    id: "endpoint:change-password",
    kind: "change-password",
    server: "express-auth101-endpoints",
    group: "endpoints",
    path: "/auth/change-password",
    label: "POST /auth/change-password, @auth101/express (2 Argon2id)",
  },
];

export const COMPARISONS: readonly Comparison[] = [
  {
    kind: "ratio",
    case: "1",
    label: "session: Prisma SQLite ÷ the @libsql/client join (limit)",
    numerator: "session:express-auth101-sqlite",
    denominator: "session:sqlite-anchor",
    atLeast: 0.85,
  },
  {
    kind: "ratio",
    case: "1",
    label: "session: Prisma PostgreSQL ÷ the pg join (limit)",
    numerator: "session:express-auth101-postgres",
    denominator: "session:postgres-anchor",
    atLeast: 0.85,
  },
  {
    kind: "ratio",
    case: "1",
    label: "session: Prisma SQLite ÷ memory store (@auth101/express)",
    numerator: "session:express-auth101-sqlite",
    denominator: "session:express-auth101",
  },
  {
    kind: "ratio",
    case: "1",
    label: "session: Prisma PostgreSQL ÷ memory store (@auth101/express)",
    numerator: "session:express-auth101-postgres",
    denominator: "session:express-auth101",
  },
  {
    kind: "ratio",
    case: "2",
    label: "session: @auth101/express ÷ bare Express",
    numerator: "session:express-auth101",
    denominator: "session:express-bare",
    atLeast: 0.95,
  },
  {
    kind: "ratio",
    case: "2",
    label: "session: @auth101/koa ÷ bare Koa",
    numerator: "session:koa-auth101",
    denominator: "session:koa-bare",
    atLeast: 0.85,
  },
  {
    kind: "ratio",
    case: "2",
    label: "session: @auth101/nestjs ÷ bare Nest",
    numerator: "session:nest-auth101",
    denominator: "session:nest-bare",
    atLeast: 0.95,
  },
  {
    kind: "ratio",
    case: "2",
    label: "session: @auth101/nestjs on Fastify ÷ bare Nest on Fastify",
    numerator: "session:nest-fastify-auth101",
    denominator: "session:nest-fastify-bare",
    atLeast: 0.9,
  },
  {
    kind: "ratio",
    case: "3",
    label: "sign-in: @auth101/express ÷ bare Argon2id verify",
    numerator: "sign-in:express-auth101",
    denominator: "sign-in:express-argon2",
    atLeast: 0.95,
  },
  {
    kind: "storm-p99",
    case: "4",
    label: "trivial route during sign-in storm: @auth101/express",
    target: "sign-in:express-auth101",
    underMs: 20,
  },
  {
    kind: "storm-p99",
    case: "4",
    label: "trivial route during sign-in storm, CPU-bound process beside: @auth101/express",
    target: "sign-in-busy:express-auth101",
    underMs: 30,
  },
  {
    kind: "storm-p99",
    case: "4",
    label: "trivial route during sign-in storm: bare Argon2id",
    target: "sign-in:express-argon2",
  },
  {
    kind: "storm-p99",
    case: "4",
    label: "trivial route during sign-in storm, CPU-bound process beside: bare Argon2id",
    target: "sign-in-busy:express-argon2",
  },
  {
    kind: "ratio",
    case: "4",
    label: "sign-in, CPU-bound process beside: @auth101/express ÷ bare Argon2id verify",
    numerator: "sign-in-busy:express-auth101",
    denominator: "sign-in-busy:express-argon2",
  },
  {
    kind: "storm-p99",
    case: "6",
    label: "trivial route during sign-in storm: better-auth",
    target: "sign-in:better-auth",
  },
  {
    kind: "ratio",
    case: "6",
    label: "session, like for like: Prisma SQLite ÷ better-auth (better-sqlite3)",
    numerator: "session:express-auth101-sqlite",
    denominator: "session:better-auth",
    atLeast: 4,
  },
  {
    kind: "ratio",
    case: "6",
    label: "session, memory store (not like for like): @auth101/express ÷ better-auth",
    numerator: "session:express-auth101",
    denominator: "session:better-auth",
  },
  {
    kind: "ratio",
    case: "6",
    label: "sign-in: @auth101/express ÷ better-auth",
    numerator: "sign-in:express-auth101",
    denominator: "sign-in:better-auth",
    atLeast: 6,
  },
  {
    kind: "ratio",
    case: "6",
    label: "session: better-auth ÷ bare Express (issue: ≈ 0.12)",
    numerator: "session:better-auth",
    denominator: "session:express-bare",
  },
];

/**
 * The targets BENCH_ONLY selects: each entry is a target id (`session:koa-auth101`) or a
 * pattern with `*` (`session:*`, `*better-auth`). All targets when there are no entries.
 */
export function selectTargets(only: readonly string[]): TargetSpec[] {
  if (only.length === 0) return [...TARGETS];
  const patterns = only.map((entry) => new RegExp(`^${entry.split("*").map(escapeRegExp).join(".*")}$`));
  const selected = TARGETS.filter((target) => patterns.some((pattern) => pattern.test(target.id)));
  if (selected.length === 0) {
    throw new Error(
      `BENCH_ONLY=${only.join(",")} selects no target. Targets: ${TARGETS.map((target) => target.id).join(", ")}`,
    );
  }
  return selected;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
