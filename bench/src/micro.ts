import { Auth101, MemoryStore } from "@auth101/core";
import { Bench } from "tinybench";
import { BENCH_RATE_LIMITS, BENCH_USER, benchSecret } from "./servers/fixtures.js";

export interface MicroResult {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly meanMs: number;
}

const SIGN_IN_CONCURRENCY = 10;

/**
 * The core alone, in this process (no HTTP): `verifyToken` and `signIn` one at a time with
 * tinybench, and `signIn` with ten in flight, which is what the libuv thread pool allows.
 */
export async function runMicroBenchmark(milliseconds: number): Promise<MicroResult[]> {
  const auth = new Auth101({ secret: benchSecret(), store: new MemoryStore(), rateLimit: BENCH_RATE_LIMITS });
  const signedUp = await auth.signUp(BENCH_USER.email, BENCH_USER.password);
  if (!("token" in signedUp)) throw new Error(`micro-benchmark sign-up failed: ${JSON.stringify(signedUp)}`);
  const { token } = signedUp;

  const bench = new Bench({
    time: milliseconds,
    iterations: 1,
    warmupTime: Math.min(500, milliseconds / 4),
    warmupIterations: 1,
  });
  bench.add("verifyToken (valid token, memory store)", async () => {
    if ((await auth.verifyToken(token)) === null) throw new Error("token did not verify");
  });
  bench.add("getSession (valid token, memory store)", async () => {
    if ("error" in (await auth.getSession(token))) throw new Error("no session");
  });
  bench.add("signIn (correct password, one at a time)", async () => {
    if ("error" in (await auth.signIn(BENCH_USER.email, BENCH_USER.password))) throw new Error("sign-in failed");
  });
  await bench.run();

  const results: MicroResult[] = bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== "completed") throw new Error(`micro-benchmark task "${task.name}" ended ${result.state}`);
    return { name: task.name, opsPerSecond: 1000 / result.period, meanMs: result.period };
  });
  results.push(await concurrentSignIns(auth, milliseconds));
  return results;
}

async function concurrentSignIns(auth: Auth101, milliseconds: number): Promise<MicroResult> {
  const started = performance.now();
  const deadline = started + milliseconds;
  let completed = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const result = await auth.signIn(BENCH_USER.email, BENCH_USER.password);
      if ("error" in result) throw new Error(`sign-in failed: ${result.error.code}`);
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: SIGN_IN_CONCURRENCY }, worker));
  const elapsed = performance.now() - started;
  return {
    name: `signIn (correct password, ${SIGN_IN_CONCURRENCY} in flight)`,
    opsPerSecond: (completed / elapsed) * 1000,
    meanMs: (elapsed * SIGN_IN_CONCURRENCY) / Math.max(1, completed),
  };
}
