import type { UserStore } from "@auth101/core";

/** Filled in when @auth101/store-prisma lands. */
export async function openPrismaBenchStore(kind: string): Promise<{ store: UserStore; close: () => Promise<void> }> {
  throw new Error(`BENCH_STORE=${kind}: the Prisma store is not wired into the benchmark yet`);
}
