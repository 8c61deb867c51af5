import { open } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  classifyDriverError,
  DatabaseConnectionError,
  type DatabaseConnectionFailure,
  describeDatabase,
  failureSentence,
  firstDriverCode,
} from "./connection-errors.js";
import type { DatabaseTarget } from "./database-url.js";

/**
 * Opens one connection straight through the database driver, and closes it, before
 * `open()` builds its PrismaClient: the driver's own error says exactly what is wrong
 * (ECONNREFUSED, 28P01, ER_BAD_DB_ERROR...), where the pool behind Prisma hides it. On
 * MariaDB this is also what makes a refusal fast: the mariadb pool retries a refused connection
 * until its acquire timeout, twice (the adapter's version probe, then the query), before it
 * reports a bare "pool timeout". Throws `DatabaseConnectionError`.
 *
 * `driverUrl` is the URL the driver adapter gets, so the probe uses the same settings (TLS...).
 */
export async function probeDatabase(target: DatabaseTarget, driverUrl: string, timeoutMs: number): Promise<void> {
  switch (target.provider) {
    case "postgresql": {
      const pg = loadDriverOf<PgModule>("@prisma/adapter-pg", "pg");
      if (pg === undefined) return;
      await probe(target, timeoutMs, async () => {
        const client = new pg.Client({ connectionString: driverUrl, connectionTimeoutMillis: timeoutMs });
        client.on("error", ignore);
        await client.connect();
        return () => client.end();
      });
      return;
    }
    case "mysql": {
      const mariadb = loadDriverOf<MariaDbModule>("@prisma/adapter-mariadb", "mariadb");
      if (mariadb === undefined) return;
      await probe(target, timeoutMs, async () => {
        // The driver's own scheme, as the adapter rewrites it.
        const connection = await mariadb.createConnection(driverUrl.replace(/^mysql:/i, "mariadb:"));
        connection.on("error", ignore);
        return () => connection.end();
      });
      return;
    }
    case "sqlite":
      return checkSqliteFile(target);
  }
}

/** The message for a failure after the probe succeeded (while creating the table, say). */
export function openFailure(target: DatabaseTarget, error: unknown): DatabaseConnectionError {
  if (error instanceof DatabaseConnectionError) return error;
  const database = describeDatabase(target, target.provider === "sqlite" ? sqlitePathOf(target.url) : undefined);
  const failure = classifyDriverError(error) ?? (target.provider === "sqlite" ? "cannot-open-file" : "other");
  const code = firstDriverCode(error) ?? (error instanceof Error ? error.name : typeof error);
  const detail =
    target.provider === "sqlite" ? `the file cannot be opened as a database (${code})` : `failed (${code})`;
  return new DatabaseConnectionError(
    `PrismaUserStore.open() could not set up ${database.text}: ${failureSentence(failure, database, detail)}`,
    failure,
    { cause: error },
  );
}

interface PgClient {
  connect(): Promise<unknown>;
  end(): Promise<void>;
  on(event: "error", listener: (error: unknown) => void): unknown;
}
interface PgModule {
  Client: new (config: { connectionString: string; connectionTimeoutMillis: number }) => PgClient;
}
interface MariaDbConnection {
  end(): Promise<void>;
  on(event: "error", listener: (error: unknown) => void): unknown;
}
interface MariaDbModule {
  createConnection(config: string): Promise<MariaDbConnection>;
}

const ignore = (): void => undefined;

/**
 * The driver the Prisma adapter itself depends on (so always the copy and version it uses),
 * resolved from the adapter's own location. Undefined when that fails (the adapter is not
 * installed, or a bundler moved things): `open()` then goes on without the probe, and the
 * adapter's import reports what to install.
 */
function loadDriverOf<Driver>(adapterPackage: string, driverPackage: string): Driver | undefined {
  try {
    const adapterEntry = createRequire(import.meta.url).resolve(adapterPackage);
    return createRequire(adapterEntry)(driverPackage) as Driver;
  } catch {
    return undefined;
  }
}

/** Runs one connection attempt with a deadline, and turns its failure into one sentence. */
async function probe(
  target: DatabaseTarget,
  timeoutMs: number,
  connect: () => Promise<() => Promise<void>>,
): Promise<void> {
  const started = performance.now();
  const attempt = connect();
  let timer: NodeJS.Timeout | undefined;
  // The drivers time out on their own; this only guards against one that never answers.
  const deadline = new Promise<"deadline">((resolve) => {
    timer = setTimeout(() => resolve("deadline"), timeoutMs + 500);
  });
  let outcome: (() => Promise<void>) | "deadline";
  try {
    outcome = await Promise.race([attempt, deadline]);
  } catch (error) {
    const elapsed = performance.now() - started;
    // A driver's own connect timeout carries no code (pg: "timeout expired"): tell it by the clock.
    const failure = classifyDriverError(error) ?? (elapsed >= timeoutMs * 0.95 ? "timed-out" : "other");
    throw connectFailure(target, failure, timeoutMs, error);
  } finally {
    clearTimeout(timer);
  }
  if (outcome === "deadline") {
    attempt.then((close) => close().catch(ignore), ignore);
    throw connectFailure(target, "timed-out", timeoutMs, new Error(`no answer within ${timeoutMs} ms`));
  }
  await outcome().catch(ignore);
}

function connectFailure(
  target: DatabaseTarget,
  failure: DatabaseConnectionFailure,
  timeoutMs: number,
  error: unknown,
): DatabaseConnectionError {
  const database = describeDatabase(target);
  const code = firstDriverCode(error) ?? (error instanceof Error ? error.name : typeof error);
  const detail = failure === "timed-out" ? `after ${timeoutMs} ms (connectTimeoutMs)` : `failed (${code})`;
  return new DatabaseConnectionError(
    `PrismaUserStore.open() could not connect to ${database.text}: ${failureSentence(failure, database, detail)}`,
    failure,
    { cause: error },
  );
}

/** The file a `file:` URL names, as libsql resolves it (relative to the working directory). */
export function sqlitePathOf(url: string): string {
  const withoutQuery = url.split("?")[0] ?? url;
  if (withoutQuery.startsWith("file://")) return fileURLToPath(withoutQuery);
  return resolve(withoutQuery.slice("file:".length));
}

/**
 * SQLite reports an unusable path as `SQLITE_CANTOPEN` (14) and nothing more; opening the file
 * for appending (which creates it, empty, as SQLite would, and changes nothing in an existing
 * one) lets the file system say what is wrong.
 */
async function checkSqliteFile(target: DatabaseTarget): Promise<void> {
  const path = sqlitePathOf(target.url);
  if (path.endsWith(":memory:")) return;
  try {
    const handle = await open(path, "a");
    await handle.close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    const detail =
      code === "ENOENT"
        ? `its directory ${dirname(path)} does not exist (ENOENT)`
        : code === "EISDIR"
          ? "that path is a directory (EISDIR)"
          : `the file cannot be created or written (${code})`;
    throw new DatabaseConnectionError(
      `PrismaUserStore.open() cannot open ${describeDatabase(target, path).text}: ${detail}`,
      "cannot-open-file",
      { cause: error },
    );
  }
}
