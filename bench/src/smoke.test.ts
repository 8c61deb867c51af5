import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { SERVERS } from "./catalog.js";
import { OneConnectionClient, startServerScript } from "./counting-client.js";
import { benchAccounts, signUpAll } from "./harness.js";

const benchRoot = fileURLToPath(new URL("..", import.meta.url));
const runScript = fileURLToPath(new URL("../dist/run.js", import.meta.url));
const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: benchRoot, env: { ...process.env, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * The benchmark itself is too slow and noisy for CI; this only proves that the harness
 * starts real server processes, drives them, stops them and prints its report. It runs the
 * compiled harness (servers are separate Node processes, which import the workspace
 * packages' built dist), so it compiles the bench first; the packages must be built
 * (`pnpm test` at the root builds everything before it tests).
 */
describe("benchmark harness, tiny run", () => {
  let finished: Finished;

  beforeAll(async () => {
    const compiled = await run(process.execPath, [tsc, "-p", "tsconfig.build.json"], {}, 60_000);
    expect(compiled.stdout + compiled.stderr, "bench compiles").toBe("");
    expect(existsSync(runScript)).toBe(true);
    finished = await run(
      process.execPath,
      [runScript],
      {
        BENCH_ONLY:
          "session:express-bare,session:express-auth101,session:koa-auth101,session:nest-fastify-bare,session:nest-fastify-auth101,sign-in:express-auth101,endpoint:*,session:sqlite-anchor",
        BENCH_ROUNDS: "1",
        BENCH_SESSION_SECONDS: "1",
        BENCH_SIGNIN_SECONDS: "1",
        BENCH_WARMUP_SECONDS: "0.3",
        BENCH_IDLE_PROBE_SECONDS: "0.5",
        BENCH_MICRO_MS: "150",
        BENCH_ENDPOINT_SESSIONS: "10",
      },
      // Seven servers started and stopped one after another, on a machine that may be busy.
      130_000,
    );
  }, 190_000);

  it("finishes by itself with exit code 0", () => {
    expect(finished.stderr).not.toMatch(/benchmark failed/);
    expect(finished.code).toBe(0);
  });

  it("prints every section of the report, with the machine it ran on", () => {
    const report = finished.stdout;
    for (const heading of [
      "auth101 benchmark",
      "machine: ",
      "machine speed: ",
      "Throughput",
      "Comparisons",
      "Memory",
      "Core alone",
    ]) {
      expect(report).toContain(heading);
    }
    expect(report).toMatch(/machine: \d+ × .+, Node v\d+/);
  });

  it("measures every selected target and reports the servers' peak RSS", () => {
    const report = finished.stdout;
    for (const label of [
      "GET /auth/session, Express bare",
      "GET /auth/session, @auth101/express",
      "GET /auth/session, @auth101/koa",
      "GET /auth/session, Nest on Fastify bare",
      "GET /auth/session, @auth101/nestjs on Fastify",
      "session: @auth101/nestjs on Fastify ÷ bare Nest on Fastify",
      "POST /auth/sign-in/email, @auth101/express",
      "session: @auth101/express ÷ bare Express",
      "trivial route during sign-in storm: @auth101/express",
      "GET /auth/sessions, @auth101/express",
      "POST /auth/request-password-reset, @auth101/express",
      "POST /auth/sign-out, @auth101/express",
      "POST /auth/sign-out/all, @auth101/express",
      "POST /auth/change-password, @auth101/express",
      "GET /auth/session, Express + @libsql/client join (limit)",
      "verifyToken",
      "signIn",
    ]) {
      expect(report).toContain(label);
    }
    expect(report).not.toMatch(/NOT MEASURED|NOT STARTED|FAILED|had failed responses/);
    expect(report).toMatch(/@auth101\/express \(memory store\)\s+yes\s+\d+/);
    expect(report).toMatch(/@auth101\/koa \(memory store\)\s+yes\s+\d+/);
    expect(report).toMatch(/@auth101\/nestjs on Fastify \(memory store\)\s+yes\s+\d+/);
  });
});

/**
 * `instructions.js` counts these servers under callgrind, too slow for CI; here each case-2
 * server runs without it, driven by the same client, to prove every one starts on its own and
 * answers its session requests 200 that way.
 */
describe("servers driven as instructions.js drives them", () => {
  const servers = [
    "express-bare",
    "express-auth101",
    "koa-bare",
    "koa-auth101",
    "nest-bare",
    "nest-auth101",
    "nest-fastify-bare",
    "nest-fastify-auth101",
  ].map((id) => {
    const spec = SERVERS.find((candidate) => candidate.id === id);
    if (spec === undefined) throw new Error(`no server ${id} in the catalog`);
    return spec;
  });
  it.each(servers)(
    "$id answers its session requests",
    async (spec) => {
      const server = await startServerScript(spec.script, { env: spec.env ?? {} });
      const client = new OneConnectionClient(server.origin);
      try {
        await client.send("/auth/session", await signUpAll(spec, server.origin, benchAccounts(2)), 20);
      } finally {
        client.close();
        await server.stop();
      }
    },
    70_000,
  );
});
