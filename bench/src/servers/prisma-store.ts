import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UserStore } from "@auth101/core";
import { PrismaUserStore } from "@auth101/store-prisma";

/** The harness signs up a fresh, random email on each run, so a schema left from an earlier run is fine. */
const DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test?schema=auth101_bench";

/**
 * `PrismaUserStore.open(url)` as its README shows: `prisma-sqlite` on a new file in a
 * temporary directory, `prisma-postgres` on BENCH_POSTGRES_URL (default: the `auth101_bench`
 * schema of the local `test` database).
 */
export async function openPrismaBenchStore(kind: string): Promise<{ store: UserStore; close: () => Promise<void> }> {
  if (kind === "prisma-sqlite") {
    const directory = mkdtempSync(join(tmpdir(), "auth101-bench-sqlite-"));
    const store = await PrismaUserStore.open(`file:${join(directory, "auth101.db")}`);
    return {
      store,
      close: async () => {
        await store.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  if (kind === "prisma-postgres") {
    const store = await PrismaUserStore.open(process.env["BENCH_POSTGRES_URL"] || DEFAULT_POSTGRES_URL);
    return { store, close: () => store.close() };
  }
  throw new Error(`BENCH_STORE=${kind}: expected memory, prisma-sqlite or prisma-postgres`);
}
