import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UserStore } from "@auth101/core";
import { PrismaUserStore } from "@auth101/store-prisma";

/** The harness signs up a fresh, random email on each run, so a schema left from an earlier run is fine. */
const DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test?schema=auth101_bench";

export interface PrismaBenchStore {
  readonly store: UserStore;
  /** What the store was opened on (the anchors query the same database with its driver). */
  readonly databaseUrl: string;
  readonly close: () => Promise<void>;
}

/**
 * `PrismaUserStore.open(url)` as its README shows: `prisma-sqlite` on a new file in a
 * temporary directory, `prisma-postgres` on BENCH_POSTGRES_URL (default: the `auth101_bench`
 * schema of the local `test` database). With `schemaSuffix`, PostgreSQL tables in that schema's
 * name plus the suffix, so that two servers signing up the same emails do not share them.
 */
export async function openPrismaBenchStore(kind: string, schemaSuffix = ""): Promise<PrismaBenchStore> {
  if (kind === "prisma-sqlite") {
    const directory = mkdtempSync(join(tmpdir(), "auth101-bench-sqlite-"));
    const databaseUrl = `file:${join(directory, "auth101.db")}`;
    const store = await PrismaUserStore.open(databaseUrl);
    return {
      store,
      databaseUrl,
      close: async () => {
        await store.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  if (kind === "prisma-postgres") {
    const databaseUrl = withSchemaSuffix(process.env["BENCH_POSTGRES_URL"] || DEFAULT_POSTGRES_URL, schemaSuffix);
    const store = await PrismaUserStore.open(databaseUrl);
    return { store, databaseUrl, close: () => store.close() };
  }
  throw new Error(`BENCH_STORE=${kind}: expected memory, prisma-sqlite or prisma-postgres`);
}

/** The URL's `?schema=` (default `public`) with a suffix: another server's own tables in the same database. */
function withSchemaSuffix(databaseUrl: string, suffix: string): string {
  if (suffix === "") return databaseUrl;
  const url = new URL(databaseUrl);
  url.searchParams.set("schema", `${url.searchParams.get("schema") || "public"}${suffix}`);
  return url.toString();
}
