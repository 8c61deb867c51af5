import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { loadavg } from "node:os";
import type { BenchConfig } from "./config.js";
import type { ServerSpec, TargetSpec } from "./catalog.js";
import { SERVERS, selectTargets } from "./catalog.js";
import type { LoadOptions, LoadResult, RequestVariant } from "./load.js";
import { load, sleep } from "./load.js";
import { lookalikeToken } from "./lookalike-token.js";
import type { MicroResult } from "./micro.js";
import { runMicroBenchmark } from "./micro.js";
import type { SequenceAnswer, SequenceRequest } from "./sequence.js";
import { runSequence } from "./sequence.js";
import { ServerProcess } from "./server-process.js";
import { BENCH_USER, HEALTH_PATH, benchEmail } from "./servers/fixtures.js";

/** Pause after each run, so in-flight work of the last one (hashes on the thread pool) drains. */
const SETTLE_MS = 300;
/** Sign-ups run this many at a time while a server is prepared. */
const SIGN_UP_CONCURRENCY = 4;

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

/** `count` accounts with fresh emails and the bench password, to sign up. */
export function benchAccounts(count: number): Credentials[] {
  return Array.from({ length: count }, () => ({ email: benchEmail(), password: BENCH_USER.password }));
}
const JSON_HEADERS = { "content-type": "application/json" } as const;

export interface Sample {
  readonly round: number;
  readonly okPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
  /**
   * CPU time (all threads) the server spent per request of the run. Unlike req/s it hardly
   * moves when other processes compete for the CPUs.
   */
  readonly cpuMsPerRequest: number;
  /** Sign-in storms: the trivial route's p99 on the idle server, then during the storm. */
  readonly probe?: { readonly idleP99Ms: number; readonly stormP99Ms: number; readonly failures: number };
}

export interface TargetResult {
  readonly target: TargetSpec;
  readonly samples: Sample[];
  /** Why the target could not be measured at all. */
  error?: string;
}

export interface ServerResult {
  readonly server: ServerSpec;
  peakRssBytes?: number;
  error?: string;
}

export interface BenchResults {
  readonly config: BenchConfig;
  readonly machine: MachineInfo;
  readonly targets: TargetResult[];
  readonly servers: ServerResult[];
  readonly micro: MicroResult[] | { readonly error: string } | undefined;
  readonly elapsedSeconds: number;
  /** 1-minute load average when the run ended (the start is in `machine`). */
  readonly loadAverageAtEnd: number;
  /** Milliseconds the same fixed CPU-bound task took before each round (see `timeFixedTask`). */
  readonly fixedTaskMs: number[];
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly date: string;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  readonly loadAverageAtStart: number;
}

type Log = (line: string) => void;

interface Prepared {
  readonly process: ServerProcess;
  /** One set of headers per account, each making a `GET` session request signed in as it. */
  readonly sessionHeaders: readonly Readonly<Record<string, string>>[];
  /** Headers of a sign-in `POST`. */
  readonly signInHeaders: Readonly<Record<string, string>>;
}

/** Runs every selected target `config.rounds` times, interleaved, then the micro-benchmark. */
export async function runBenchmark(config: BenchConfig, machine: MachineInfo, log: Log): Promise<BenchResults> {
  const started = performance.now();
  const targets = selectTargets(config.only);
  const serverIds = new Set(targets.map((target) => target.server));
  const servers: ServerResult[] = SERVERS.filter((server) => serverIds.has(server.id)).map((server) => ({ server }));
  const results: TargetResult[] = targets.map((target) => ({ target, samples: [] }));
  const prepared = new Map<string, Prepared>();
  const fixedTaskMs: number[] = [];
  const accounts = benchAccounts(config.users);

  try {
    for (const entry of servers) {
      try {
        log(`starting ${entry.server.id}`);
        prepared.set(entry.server.id, await startAndPrepare(entry.server, config, accounts));
      } catch (error) {
        entry.error = message(error);
        log(`  ${entry.error}`);
      }
    }
    for (const result of results) {
      const server = servers.find((entry) => entry.server.id === result.target.server);
      if (server?.error !== undefined) result.error = `server did not start: ${server.error.split("\n")[0]}`;
    }

    for (let round = 0; round < config.rounds; round += 1) {
      fixedTaskMs.push(timeFixedTask());
      const prefix = `[round ${round + 1}/${config.rounds}]`;
      for (const batch of steadyBatches(roundOrder(results, round))) {
        const runnable = batch.flatMap((result) => {
          const server = prepared.get(result.target.server);
          return server === undefined || result.error !== undefined ? [] : [{ result, server }];
        });
        const failed = (result: TargetResult, server: Prepared, error: unknown): void => {
          result.error = `${message(error)}\n  ${server.process.recentOutput.join("\n  ")}`;
          log(`${prefix} ${result.target.id}: ${result.error}`);
        };
        if (runnable[0] !== undefined && isSteady(runnable[0].result.target.kind)) {
          await measureInSlices(runnable, round, config, accounts, failed);
          for (const { result } of runnable) {
            const sample = result.samples.at(-1);
            if (result.error === undefined && sample !== undefined)
              log(`${prefix} ${describeSample(result.target, sample)}`);
          }
          continue;
        }
        for (const { result, server } of runnable) {
          try {
            const sample = await measure(result.target, server, round, config, accounts);
            result.samples.push(sample);
            log(`${prefix} ${describeSample(result.target, sample)}`);
          } catch (error) {
            failed(result, server, error);
          }
        }
      }
    }
  } finally {
    for (const entry of servers) {
      const running = prepared.get(entry.server.id);
      if (running === undefined) continue;
      const peak = await running.process.stop();
      if (peak !== undefined) entry.peakRssBytes = peak;
    }
  }

  let micro: BenchResults["micro"];
  if (config.microMilliseconds > 0) {
    log("core micro-benchmark");
    micro = await runMicroBenchmark(config.microMilliseconds).catch((error: unknown) => ({ error: message(error) }));
  }
  return {
    config,
    machine,
    targets: results,
    servers,
    micro,
    elapsedSeconds: (performance.now() - started) / 1000,
    loadAverageAtEnd: loadavg()[0] ?? Number.NaN,
    fixedTaskMs,
  };
}

/**
 * Times one fixed CPU-bound task (a chain of 20,000 SHA-256 digests) in this process while
 * every server is idle: the same work each time, so its spread over the run is how much the
 * machine's own speed moved (a virtual machine's core is shared with other tenants), which
 * no interleaving of rounds can take out of a single ratio.
 */
export function timeFixedTask(): number {
  const started = performance.now();
  let digest = Buffer.alloc(32);
  for (let step = 0; step < 20_000; step += 1) digest = createHash("sha256").update(digest).digest();
  return performance.now() - started;
}

/**
 * Round r runs the groups starting with group r (so no group is always first or last), and
 * within each group the targets forwards in even rounds and backwards in odd ones: compared
 * targets run back to back, A B then B A.
 */
export function roundOrder<T extends { readonly target: { readonly group: string } }>(
  results: readonly T[],
  round: number,
): T[] {
  const groups: T[][] = [];
  for (const result of results) {
    const group = groups.find((members) => members[0]?.target.group === result.target.group);
    if (group === undefined) groups.push([result]);
    else group.push(result);
  }
  const offset = round % groups.length;
  const rotated = [...groups.slice(offset), ...groups.slice(0, offset)];
  return rotated.flatMap((members) => (round % 2 === 1 ? [...members].reverse() : members));
}

/**
 * Splits a round's order into batches: each run of consecutive steady-load targets of one
 * group (compared targets, run back to back) is one batch, measured in slices; every other
 * target is a batch of its own.
 */
export function steadyBatches<T extends { readonly target: { readonly group: string; readonly kind: string } }>(
  order: readonly T[],
): T[][] {
  const batches: T[][] = [];
  for (const entry of order) {
    const last = batches.at(-1);
    const previous = last?.at(-1);
    if (
      last !== undefined &&
      previous !== undefined &&
      isSteady(entry.target.kind) &&
      isSteady(previous.target.kind) &&
      previous.target.group === entry.target.group
    ) {
      last.push(entry);
    } else {
      batches.push([entry]);
    }
  }
  return batches;
}

function isSteady(kind: string): boolean {
  return kind === "session" || kind === "reset-request";
}

/**
 * Measures a batch of steady-load targets (a group's session runs; a lone one too) after a
 * warm-up at the same load, in alternating slices of `config.sliceSeconds`, A B B A A B ...,
 * each target's slices summed into its sample of the round, with the server's CPU over them.
 * On a machine whose speed moves within seconds (a virtual machine's shared core), a slow
 * spell then falls on both sides of a comparison alike, where back-to-back runs of a few
 * seconds each let it fall on one side only.
 */
async function measureInSlices(
  batch: readonly { readonly result: TargetResult; readonly server: Prepared }[],
  round: number,
  config: BenchConfig,
  accounts: readonly Credentials[],
  failed: (result: TargetResult, server: Prepared, error: unknown) => void,
): Promise<void> {
  const slices = Math.max(1, Math.round(config.sessionSeconds / config.sliceSeconds));
  const seconds = config.sessionSeconds / slices;
  const runs = batch.map(({ result, server }) => ({
    result,
    server,
    request: steadyRequest(result.target, server, config, accounts),
    ok: 0,
    responses: 0,
    failures: 0,
    seconds: 0,
    cpuMicros: 0,
    p50Ms: 0,
    p99Ms: 0,
  }));
  const live = () => runs.filter((run) => run.result.error === undefined);
  for (const run of live()) {
    try {
      if (config.warmupSeconds > 0) await load({ ...run.request, seconds: config.warmupSeconds });
    } catch (error) {
      failed(run.result, run.server, error);
    }
  }
  for (let slice = 0; slice < slices; slice += 1) {
    const order = slice % 2 === 0 ? live() : live().reverse();
    for (const run of order) {
      try {
        const cpuBefore = await run.server.process.cpuMicros();
        const measured = await load({ ...run.request, seconds });
        await sleep(SETTLE_MS);
        run.cpuMicros += (await run.server.process.cpuMicros()) - cpuBefore;
        run.ok += measured.okPerSecond * measured.seconds;
        run.seconds += measured.seconds;
        run.responses += measured.responses;
        run.failures += measured.failures;
        // The slices' own percentiles cannot be merged; the worst slice's stands for the run.
        run.p50Ms = Math.max(run.p50Ms, measured.p50Ms);
        run.p99Ms = Math.max(run.p99Ms, measured.p99Ms);
      } catch (error) {
        failed(run.result, run.server, error);
      }
    }
  }
  for (const run of live()) {
    const cpuMsPerRequest = run.cpuMicros / 1000 / Math.max(1, run.responses + config.connections * slices);
    run.result.samples.push({
      round,
      okPerSecond: run.seconds > 0 ? run.ok / run.seconds : 0,
      p50Ms: run.p50Ms,
      p99Ms: run.p99Ms,
      failures: run.failures,
      cpuMsPerRequest,
    });
  }
}

async function startAndPrepare(
  server: ServerSpec,
  config: BenchConfig,
  accounts: readonly Credentials[],
): Promise<Prepared> {
  const process = await ServerProcess.start({
    script: server.script,
    name: server.id,
    cpuProfileDirectory: config.cpuProfileDirectory,
    ...(server.env !== undefined && { env: server.env }),
  });
  try {
    return {
      process,
      sessionHeaders: await signUpAll(server, process.origin, accounts),
      signInHeaders: postHeaders(server, process.origin),
    };
  } catch (error) {
    await process.stop();
    throw error;
  }
}

/** better-auth refuses a POST without an `Origin` (CSRF check); a browser always sends one. */
function postHeaders(server: ServerSpec, origin: string): Record<string, string> {
  return server.account === "better-auth" ? { ...JSON_HEADERS, origin } : { ...JSON_HEADERS };
}

/**
 * Each account's session-request headers: signed up (and checked signed in) on an auth101 or
 * better-auth server, a lookalike token for a bare route, which is sent the same requests.
 */
export async function signUpAll(
  server: ServerSpec,
  origin: string,
  accounts: readonly Credentials[],
): Promise<Record<string, string>[]> {
  const headers: Record<string, string>[] = [];
  for (let first = 0; first < accounts.length; first += SIGN_UP_CONCURRENCY) {
    const batch = accounts.slice(first, first + SIGN_UP_CONCURRENCY);
    headers.push(...(await Promise.all(batch.map((account) => signedInHeaders(server, origin, account)))));
  }
  return headers;
}

async function signedInHeaders(
  server: ServerSpec,
  origin: string,
  credentials: Credentials,
): Promise<Record<string, string>> {
  if (server.account === "none") return sentLikeSignUp(origin, credentials);
  if (server.account === "auth101") {
    const response = await auth101SignUp(origin, credentials);
    const body = (await response.json()) as { token?: unknown };
    if (response.status !== 200 || typeof body.token !== "string")
      throw new Error(`auth101 sign-up answered ${response.status} ${JSON.stringify(body)}`);
    const headers = { authorization: `Bearer ${body.token}` };
    await expectSignedIn(
      `${origin}/auth/session`,
      headers,
      (value) => typeof value === "object" && value !== null && "user" in value,
    );
    return headers;
  }
  const response = await fetch(`${origin}/api/auth/sign-up/email`, {
    method: "POST",
    headers: postHeaders(server, origin),
    body: JSON.stringify({ ...credentials, name: "Bench User" }),
  });
  if (response.status !== 200)
    throw new Error(`better-auth sign-up answered ${response.status} ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((setCookie) => setCookie.split(";")[0])
    .join("; ");
  const headers = { cookie };
  // better-auth answers 200 with `null` when there is no session, so look at the body.
  await expectSignedIn(
    `${origin}/api/auth/get-session`,
    headers,
    (value) => typeof value === "object" && value !== null && "session" in value,
  );
  return headers;
}

/**
 * A bare route's server has no accounts, but it is sent what an auth101 server is sent for one
 * (the sign-up, then the session check, from the same client, each answered as it likes): V8's
 * feedback is per process, so a server that had only ever seen the load generator's requests
 * would run Node's HTTP and stream code in a state that one which also served other clients
 * never returns to. Measured with `instructions`: bare Koa, 107,667 instructions per session
 * request without these requests, 109,821 with them (RESULTS.md, 2026-12-01).
 */
async function sentLikeSignUp(origin: string, credentials: Credentials): Promise<Record<string, string>> {
  await (await auth101SignUp(origin, credentials)).arrayBuffer();
  const headers = { authorization: `Bearer ${lookalikeToken()}` };
  await (await fetch(`${origin}/auth/session`, { headers })).arrayBuffer();
  return headers;
}

/** auth101's sign-up request for an account, as every server with or without auth101 is sent it. */
function auth101SignUp(origin: string, credentials: Credentials): Promise<Response> {
  return fetch(`${origin}/auth/sign-up/email`, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify(credentials),
  });
}

async function expectSignedIn(
  url: string,
  headers: Record<string, string>,
  isSession: (body: unknown) => boolean,
): Promise<void> {
  const response = await fetch(url, { headers });
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status !== 200 || !isSession(body))
    throw new Error(`GET ${url} did not answer a session: ${response.status} ${JSON.stringify(body)}`);
}

async function measure(
  target: TargetSpec,
  server: Prepared,
  round: number,
  config: BenchConfig,
  accounts: readonly Credentials[],
): Promise<Sample> {
  const url = `${server.process.origin}${target.path}`;
  switch (target.kind) {
    case "session":
    case "reset-request":
      throw new Error(`${target.id}: steady-load targets are measured in slices (measureInSlices)`);
    case "sign-in":
      return target.besideBusyProcess === true
        ? withBusyProcess(() => measureStorm(target, server, round, config, accounts))
        : measureStorm(target, server, round, config, accounts);
    case "sign-out":
    case "sign-out-all":
      return measureSignOuts(url, server, round, config);
    case "change-password":
      return measureChangePasswords(url, server, round, config);
  }
}

/** The steady load of a session or reset-request target. */
function steadyRequest(
  target: TargetSpec,
  server: Prepared,
  config: BenchConfig,
  accounts: readonly Credentials[],
): Omit<LoadOptions, "seconds"> {
  const base = { url: `${server.process.origin}${target.path}`, connections: config.connections };
  if (target.kind === "reset-request") {
    return {
      ...base,
      method: "POST",
      variants: accounts.map((account) => ({
        headers: server.signInHeaders,
        body: JSON.stringify({ email: account.email }),
      })),
    };
  }
  // Every connection cycles through all the accounts: many users' tokens.
  return { ...base, method: "GET", variants: server.sessionHeaders.map((headers) => ({ headers })) };
}

async function measureStorm(
  target: TargetSpec,
  server: Prepared,
  round: number,
  config: BenchConfig,
  accounts: readonly Credentials[],
): Promise<Sample> {
  const request = {
    url: `${server.process.origin}${target.path}`,
    connections: config.connections,
    method: "POST" as const,
    // Every connection cycles through all the accounts' credentials: many users' sign-ins.
    variants: accounts.map((account) => ({ headers: server.signInHeaders, body: JSON.stringify(account) })),
  };
  const probe = { url: `${server.process.origin}${HEALTH_PATH}`, connections: 1, overallRate: config.probeRate };
  const idle = await load({ ...probe, seconds: config.idleProbeSeconds });
  // Warm up with a fixed number of sign-ins that all complete, so no abandoned request is
  // still hashing when the measured storm starts.
  if (config.warmupSeconds > 0) await load({ ...request, amount: config.connections * 2, seconds: 120 });
  const cpuBefore = await server.process.cpuMicros();
  const [storm, duringStorm] = await Promise.all([
    load({ ...request, seconds: config.signInSeconds }),
    load({ ...probe, seconds: config.signInSeconds }),
  ]);
  await drain(request);
  // Requests still in flight when the storm stopped (one per connection) and the draining one
  // were processed too; the probe's trivial requests cost next to nothing beside a hash.
  const cpuMicros = (await server.process.cpuMicros()) - cpuBefore;
  return {
    ...sampleOf(round, storm, cpuMicros / 1000 / Math.max(1, storm.responses + config.connections + 1)),
    probe: { idleP99Ms: idle.p99Ms, stormP99Ms: duringStorm.p99Ms, failures: idle.failures + duringStorm.failures },
  };
}

/**
 * Sign-outs end the session they carry, so every request needs a fresh one: the run's
 * accounts are signed up first (unmeasured, one Argon2id hash each), then each session is
 * ended once, `config.connections` at a time. For `sign-out/all` each account has the one
 * session, so both measure a single session's end.
 */
async function measureSignOuts(url: string, server: Prepared, round: number, config: BenchConfig): Promise<Sample> {
  const tokens = await freshSessions(server.process.origin, config.endpointSessions, config.connections);
  let taken = 0;
  const next = (): SequenceRequest | undefined => {
    const token = tokens[taken];
    taken += 1;
    return token === undefined ? undefined : { method: "POST", url, headers: { authorization: `Bearer ${token}` } };
  };
  const cpuBefore = await server.process.cpuMicros();
  const measured = await runSequence(config.connections, 120, next);
  await sleep(SETTLE_MS);
  const cpuMicros = (await server.process.cpuMicros()) - cpuBefore;
  return sampleOf(round, measured, cpuMicros / 1000 / Math.max(1, measured.responses));
}

/**
 * Each connection signs up its own account (unmeasured), then changes its password back and
 * forth for the session run's length, each time with the token the previous change answered
 * (a change ends the session it was made with). Two Argon2id runs per change: the current
 * password's check and the new password's hash.
 */
async function measureChangePasswords(
  url: string,
  server: Prepared,
  round: number,
  config: BenchConfig,
): Promise<Sample> {
  const tokens = await freshSessions(server.process.origin, config.connections, config.connections);
  const passwords = [BENCH_USER.password, `${BENCH_USER.password}-changed`] as const;
  const changes = tokens.map(() => 0);
  const next = (worker: number, previous: SequenceAnswer | undefined): SequenceRequest | undefined => {
    const answered = previous?.body as { token?: unknown } | undefined;
    const token = previous === undefined ? tokens[worker] : answered?.token;
    if (typeof token !== "string") return undefined;
    const done = changes[worker] ?? 0;
    changes[worker] = done + 1;
    return {
      method: "POST",
      url,
      headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` },
      body: JSON.stringify({ current_password: passwords[done % 2], new_password: passwords[(done + 1) % 2] }),
    };
  };
  const cpuBefore = await server.process.cpuMicros();
  const measured = await runSequence(config.connections, config.sessionSeconds, next);
  await sleep(SETTLE_MS);
  const cpuMicros = (await server.process.cpuMicros()) - cpuBefore;
  return sampleOf(round, measured, cpuMicros / 1000 / Math.max(1, measured.responses));
}

/** Signs up `count` fresh accounts, `concurrency` at a time; resolves their tokens. */
async function freshSessions(origin: string, count: number, concurrency: number): Promise<string[]> {
  const tokens: string[] = [];
  let remaining = count;
  await runSequence(concurrency, 600, (_worker, previous) => {
    const answered = previous?.body as { token?: unknown } | undefined;
    if (previous !== undefined) {
      if (typeof answered?.token !== "string") throw new Error(`sign-up answered ${previous.status}`);
      tokens.push(answered.token);
    }
    if (remaining === 0) return undefined;
    remaining -= 1;
    return {
      method: "POST",
      url: `${origin}/auth/sign-up/email`,
      headers: JSON_HEADERS,
      body: JSON.stringify({ email: benchEmail(), password: BENCH_USER.password }),
    };
  });
  if (tokens.length !== count) throw new Error(`signed up ${tokens.length} of ${count} accounts`);
  return tokens;
}

/**
 * Runs `work` with a CPU-bound Node process (a busy loop) beside the server, as another
 * service on the same machine would be; stops it afterwards.
 */
async function withBusyProcess<T>(work: () => Promise<T>): Promise<T> {
  const busy = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
  await once(busy, "spawn");
  try {
    return await work();
  } finally {
    const exited = once(busy, "exit");
    busy.kill("SIGKILL");
    await exited;
  }
}

/**
 * The storm's last requests are still being hashed after autocannon stops counting. Hashes
 * queue first-in first-out (libuv's thread pool), so when one more sign-in answers, they are
 * done and the next run starts on an idle server.
 */
async function drain(request: { readonly url: string; readonly variants: readonly RequestVariant[] }): Promise<void> {
  const [first] = request.variants;
  const response = await fetch(request.url, {
    method: "POST",
    headers: first?.headers ?? {},
    body: first?.body ?? null,
    signal: AbortSignal.timeout(60_000),
  });
  await response.arrayBuffer();
  await sleep(SETTLE_MS);
}

function sampleOf(round: number, result: LoadResult, cpuMsPerRequest: number): Sample {
  return {
    round,
    okPerSecond: result.okPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    failures: result.failures,
    cpuMsPerRequest,
  };
}

function describeSample(target: TargetSpec, sample: Sample): string {
  const failures = sample.failures > 0 ? `, ${sample.failures} FAILED` : "";
  const probe =
    sample.probe === undefined
      ? ""
      : `, trivial route p99 ${sample.probe.idleP99Ms} ms idle → ${sample.probe.stormP99Ms} ms in storm`;
  const cpu = `server CPU ${sample.cpuMsPerRequest.toFixed(3)} ms/request`;
  return `${target.id}: ${sample.okPerSecond.toFixed(1)} req/s, p99 ${sample.p99Ms} ms, ${cpu}${failures}${probe}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
