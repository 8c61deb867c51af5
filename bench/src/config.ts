/** How long and how hard the harness runs; every knob is an environment variable. */
export interface BenchConfig {
  /** Repetitions of every target, interleaved (round 1 of each, then round 2 of each, ...). */
  readonly rounds: number;
  /** Measured seconds of a session (GET) run. */
  readonly sessionSeconds: number;
  /**
   * Compared session runs alternate in slices this long within a round (A B B A ...), so
   * both sides of a comparison see the machine at the same speed.
   */
  readonly sliceSeconds: number;
  /** Measured seconds of a sign-in storm. */
  readonly signInSeconds: number;
  /** Unmeasured seconds of load before each measured run. */
  readonly warmupSeconds: number;
  /** Seconds the trivial route is sampled on the idle server before each storm. */
  readonly idleProbeSeconds: number;
  /** Concurrent connections of the load (sessions and sign-in storms alike). */
  readonly connections: number;
  /**
   * Accounts signed up on every server that has accounts; session requests cycle through
   * their tokens and sign-ins through their credentials, as many users' would.
   */
  readonly users: number;
  /** Requests per second of the trivial-route probe (one connection). */
  readonly probeRate: number;
  /** Fresh sessions (accounts signed up before the run) each sign-out run ends, one request each. */
  readonly endpointSessions: number;
  /** BENCH_ONLY: target ids or `*` patterns to run (all when empty). */
  readonly only: readonly string[];
  /** Milliseconds per task of the core micro-benchmark; 0 skips it. */
  readonly microMilliseconds: number;
  /** Directory for the servers' `--cpu-prof` profiles, if profiling. */
  readonly cpuProfileDirectory: string | undefined;
  /** File to write the raw results to as JSON, if any. */
  readonly jsonOutput: string | undefined;
}

type Environment = Readonly<Record<string, string | undefined>>;

function positiveNumber(env: Environment, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number; got "${raw}"`);
  return value;
}

/**
 * Defaults keep a full run near twelve minutes on a 2-core machine. BENCH_SCALE multiplies
 * every duration (0.2 for a quick look, 2 for steadier numbers); the BENCH_*_SECONDS
 * variables set one duration outright.
 */
export function configFromEnvironment(env: Environment = process.env): BenchConfig {
  const scale = positiveNumber(env, "BENCH_SCALE", 1);
  const scaled = (name: string, fallback: number): number => positiveNumber(env, name, fallback * scale);
  const rounds = Math.max(1, Math.round(positiveNumber(env, "BENCH_ROUNDS", 5)));
  return {
    rounds,
    sessionSeconds: Math.max(0.5, scaled("BENCH_SESSION_SECONDS", 3)),
    // autocannon ends a run on its next one-second tick: a shorter slice would run a second anyway.
    sliceSeconds: Math.max(1, scaled("BENCH_SLICE_SECONDS", 1)),
    signInSeconds: Math.max(0.5, scaled("BENCH_SIGNIN_SECONDS", 6)),
    warmupSeconds: scaled("BENCH_WARMUP_SECONDS", 1),
    idleProbeSeconds: Math.max(0.5, scaled("BENCH_IDLE_PROBE_SECONDS", 2)),
    connections: Math.max(1, Math.round(positiveNumber(env, "BENCH_CONNECTIONS", 10))),
    users: Math.max(1, Math.round(positiveNumber(env, "BENCH_USERS", 20))),
    probeRate: Math.max(1, Math.round(positiveNumber(env, "BENCH_PROBE_RATE", 100))),
    endpointSessions: Math.max(1, Math.round(positiveNumber(env, "BENCH_ENDPOINT_SESSIONS", 100))),
    only: (env["BENCH_ONLY"] ?? "")
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== ""),
    microMilliseconds: scaled("BENCH_MICRO_MS", 3000),
    cpuProfileDirectory: env["BENCH_CPU_PROF"] || undefined,
    jsonOutput: env["BENCH_JSON"] || undefined,
  };
}
