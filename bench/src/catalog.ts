/**
 * What the benchmark runs: the servers (one Node process each), the measured targets
 * (a request pattern against one server) and the comparisons bench/README.md reports.
 */

export type AccountKind = "auth101" | "better-auth" | "none";

export interface ServerSpec {
  readonly id: string;
  /** File under dist/servers. */
  readonly script: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly label: string;
  /** How the harness gets a signed-in user on it: auth101's sign-up, better-auth's, or not at all. */
  readonly account: AccountKind;
  /** An auth101 server: its peak RSS is case 6. */
  readonly isAuth101: boolean;
}

export type TargetKind = "session" | "sign-in";

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
    id: "session:express-auth101-sqlite",
    kind: "session",
    server: "express-auth101-sqlite",
    group: "express",
    path: AUTH101_SESSION,
    label: "GET /auth/session, @auth101/express, Prisma SQLite",
  },
  {
    id: "session:express-auth101-postgres",
    kind: "session",
    server: "express-auth101-postgres",
    group: "express",
    path: AUTH101_SESSION,
    label: "GET /auth/session, @auth101/express, Prisma PostgreSQL",
  },
  {
    id: "session:better-auth",
    kind: "session",
    server: "better-auth",
    group: "express",
    path: "/api/auth/get-session",
    label: "GET /api/auth/get-session, better-auth",
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
];

export const COMPARISONS: readonly Comparison[] = [
  {
    kind: "ratio",
    case: "1",
    label: "session: @auth101/express ÷ bare Express",
    numerator: "session:express-auth101",
    denominator: "session:express-bare",
    atLeast: 0.85,
  },
  {
    kind: "ratio",
    case: "1",
    label: "session: @auth101/koa ÷ bare Koa",
    numerator: "session:koa-auth101",
    denominator: "session:koa-bare",
    atLeast: 0.85,
  },
  {
    kind: "ratio",
    case: "1",
    label: "session: @auth101/nestjs ÷ bare Nest",
    numerator: "session:nest-auth101",
    denominator: "session:nest-bare",
    atLeast: 0.85,
  },
  {
    kind: "ratio",
    case: "1",
    label: "session: @auth101/nestjs on Fastify ÷ bare Nest on Fastify",
    numerator: "session:nest-fastify-auth101",
    denominator: "session:nest-fastify-bare",
    atLeast: 0.9,
  },
  {
    kind: "ratio",
    case: "2",
    label: "session: Prisma SQLite ÷ memory store (@auth101/express)",
    numerator: "session:express-auth101-sqlite",
    denominator: "session:express-auth101",
  },
  {
    kind: "ratio",
    case: "2",
    label: "session: Prisma PostgreSQL ÷ memory store (@auth101/express)",
    numerator: "session:express-auth101-postgres",
    denominator: "session:express-auth101",
  },
  {
    kind: "ratio",
    case: "3",
    label: "sign-in: @auth101/express ÷ bare Argon2id verify",
    numerator: "sign-in:express-auth101",
    denominator: "sign-in:express-argon2",
    atLeast: 0.9,
  },
  {
    kind: "storm-p99",
    case: "4",
    label: "trivial route during sign-in storm: @auth101/express",
    target: "sign-in:express-auth101",
    underMs: 25,
  },
  {
    kind: "storm-p99",
    case: "4",
    label: "trivial route during sign-in storm: bare Argon2id",
    target: "sign-in:express-argon2",
  },
  {
    kind: "storm-p99",
    case: "5",
    label: "trivial route during sign-in storm: better-auth",
    target: "sign-in:better-auth",
  },
  {
    kind: "ratio",
    case: "5",
    label: "session: @auth101/express ÷ better-auth",
    numerator: "session:express-auth101",
    denominator: "session:better-auth",
    atLeast: 5,
  },
  {
    kind: "ratio",
    case: "5",
    label: "sign-in: @auth101/express ÷ better-auth",
    numerator: "sign-in:express-auth101",
    denominator: "sign-in:better-auth",
    atLeast: 5,
  },
  {
    kind: "ratio",
    case: "5",
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
