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

/** BENCH_HASH_CONCURRENCY sets `hashing.maxConcurrent` (to measure its default against others). */
function hashConcurrency(): Pick<Auth101Options, "hashing"> {
  const raw = process.env["BENCH_HASH_CONCURRENCY"];
  return raw === undefined || raw === "" ? {} : { hashing: { maxConcurrent: Number(raw) } };
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
    ...hashConcurrency(),
  });
  return { auth, close };
}
