import type { Auth101Options, UserStore } from "@auth101/core";
import { Auth101, MemoryStore } from "@auth101/core";
import { BENCH_RATE_LIMITS, benchSecret } from "./fixtures.js";

export interface BenchAuth {
  readonly auth: Auth101;
  readonly close: () => Promise<void>;
}

/**
 * The store a server uses, from BENCH_STORE: `memory` (default), `prisma-sqlite` or
 * `prisma-postgres` (see ./prisma-store.ts).
 */
async function openStore(): Promise<{ store: UserStore; close: () => Promise<void> }> {
  const kind = process.env["BENCH_STORE"] ?? "memory";
  if (kind === "memory") return { store: new MemoryStore(), close: async () => {} };
  const { openPrismaBenchStore } = await import("./prisma-store.js");
  return openPrismaBenchStore(kind);
}

/**
 * BENCH_HASH_CONCURRENCY sets `hashing.maxConcurrent` and BENCH_HASH_NICE `hashing.threadNice`
 * (to measure their defaults against others).
 */
function hashThreads(): Pick<Auth101Options, "hashing"> {
  const concurrency = process.env["BENCH_HASH_CONCURRENCY"];
  const nice = process.env["BENCH_HASH_NICE"];
  return {
    hashing: {
      ...(concurrency === undefined || concurrency === "" ? {} : { maxConcurrent: Number(concurrency) }),
      ...(nice === undefined || nice === "" ? {} : { threadNice: Number(nice) }),
    },
  };
}

/**
 * An Auth101 with default options except the raised rate limits (protection stays on), and
 * password reset on (its emails go nowhere), which `POST /auth/request-password-reset` needs.
 */
export async function createBenchAuth(): Promise<BenchAuth> {
  const { store, close } = await openStore();
  const auth = new Auth101({
    secret: benchSecret(),
    store,
    rateLimit: BENCH_RATE_LIMITS,
    passwordReset: { send: () => {} },
    ...hashThreads(),
  });
  return { auth, close };
}
