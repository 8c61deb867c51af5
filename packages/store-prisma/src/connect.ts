import { ensureAuth101Tables } from "./auth101-tables.js";
import { openFailure, probeDatabase } from "./connection-probe.js";
import type { DatabaseTarget } from "./database-url.js";
import type { PrismaClient as MysqlClient } from "./generated/mysql/client.js";
import type { PrismaClient as PostgresClient } from "./generated/postgresql/client.js";
import type { PrismaClient as SqliteClient } from "./generated/sqlite/client.js";
import type { ConnectionTimeouts } from "./open-options.js";
import { importOptionalPackage } from "./optional-package.js";

/** A client `open()` created and therefore owns: it runs the DDL and disconnects on close. */
export type OwnedPrismaClient = PostgresClient | MysqlClient | SqliteClient;

/**
 * What `PrismaUserStore.open()` does before it hands out a store: checks that the database
 * answers (one connection through the driver, for a precise and fast error), creates the
 * package's own PrismaClient, and creates auth101's tables if they are missing. Every
 * failure is a `DatabaseConnectionError` whose message names the database and the cause.
 */
export async function openOwnedClient(
  target: DatabaseTarget,
  timeouts: ConnectionTimeouts,
): Promise<OwnedPrismaClient> {
  await probeDatabase(target, driverUrl(target, timeouts), timeouts.connectTimeoutMs);
  const client = await createOwnedClient(target, timeouts);
  try {
    await ensureAuth101Tables(client, target, {
      maxWaitMs: timeouts.connectTimeoutMs,
      timeoutMs: timeouts.connectTimeoutMs + 2 * timeouts.queryTimeoutMs,
    });
  } catch (error) {
    await client.$disconnect().catch(() => undefined);
    throw openFailure(target, error);
  }
  return client;
}

/** The URL the driver gets: on MySQL/MariaDB, with the pool settings `open()` chooses. */
function driverUrl(target: DatabaseTarget, timeouts: ConnectionTimeouts): string {
  if (target.provider !== "mysql") return target.url;
  return withDefaultSearchParams(target.url, {
    connectTimeout: timeouts.connectTimeoutMs,
    // The pool keeps retrying a refused connection until this expires; it is what bounds
    // a query against a server that is down.
    acquireTimeout: timeouts.connectTimeoutMs,
    // Closes a connection that has been silent this long: a query to a server that
    // stopped answering fails instead of hanging. Idle connections close too, so...
    socketTimeout: timeouts.queryTimeoutMs,
    // ...the pool keeps one idle connection (it grows on demand) rather than the driver's
    // default of all ten, which would be reopened every few seconds. 0 would stop it
    // from opening any.
    minimumIdle: 1,
  });
}

/**
 * Creates the package's own generated PrismaClient for the target's provider, with the driver
 * adapter that provider needs. Adapters are imported lazily, so a user installs only the one
 * for their database; each gets timeouts so a dead or unreachable server fails fast.
 */
async function createOwnedClient(target: DatabaseTarget, timeouts: ConnectionTimeouts): Promise<OwnedPrismaClient> {
  const purpose = (database: string): string => `PrismaUserStore.open() on a ${database} URL`;
  switch (target.provider) {
    case "postgresql": {
      const [{ PrismaPg }, { PrismaClient }] = await Promise.all([
        importOptionalPackage("@prisma/adapter-pg", () => import("@prisma/adapter-pg"), purpose("PostgreSQL")),
        importOptionalPackage(
          "@prisma/client",
          () => import("./generated/postgresql/client.js"),
          purpose("PostgreSQL"),
        ),
      ]);
      const adapter = new PrismaPg(
        {
          connectionString: target.url,
          // Covers both opening a connection and waiting for a free one in the pool.
          connectionTimeoutMillis: timeouts.connectTimeoutMs,
          // Client-side, so it also fires when the server stops answering altogether.
          query_timeout: timeouts.queryTimeoutMs,
          keepAlive: true,
        },
        { schema: target.schema },
      );
      return new PrismaClient({ adapter, errorFormat: "minimal" });
    }
    case "mysql": {
      const [{ PrismaMariaDb }, { PrismaClient }] = await Promise.all([
        importOptionalPackage(
          "@prisma/adapter-mariadb",
          () => import("@prisma/adapter-mariadb"),
          purpose("MySQL/MariaDB"),
        ),
        importOptionalPackage("@prisma/client", () => import("./generated/mysql/client.js"), purpose("MySQL/MariaDB")),
      ]);
      const adapter = new PrismaMariaDb(driverUrl(target, timeouts));
      return new PrismaClient({ adapter, errorFormat: "minimal" });
    }
    case "sqlite": {
      const [{ PrismaLibSql }, { PrismaClient }] = await Promise.all([
        importOptionalPackage("@prisma/adapter-libsql", () => import("@prisma/adapter-libsql"), purpose("SQLite")),
        importOptionalPackage("@prisma/client", () => import("./generated/sqlite/client.js"), purpose("SQLite")),
      ]);
      // `timeout` is SQLite's busy timeout: wait this long for another connection's write lock.
      const adapter = new PrismaLibSql({ url: target.url, timeout: timeouts.queryTimeoutMs });
      return new PrismaClient({ adapter, errorFormat: "minimal" });
    }
  }
}

/** Adds driver options to a URL unless the URL already sets them: the user's choice wins. */
function withDefaultSearchParams(databaseUrl: string, defaults: Record<string, number>): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new TypeError("The MySQL/MariaDB database URL is not a valid URL (mysql://user:password@host:port/database)");
  }
  for (const [name, value] of Object.entries(defaults)) {
    if (!url.searchParams.has(name)) url.searchParams.set(name, String(value));
  }
  return url.toString();
}
