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
 * The one query method of a Prisma driver adapter (`SqlQueryable.queryRaw` of
 * `@prisma/driver-adapter-utils`) that the owned store calls directly: it answers rows as
 * arrays in the order of the SELECT, with the driver's values.
 */
interface DriverQueryable {
  queryRaw(query: {
    sql: string;
    args: unknown[];
    argTypes: { scalarType: "string"; arity: "scalar" }[];
  }): Promise<{ columnNames: string[]; rows: unknown[][] }>;
}

/** Runs one SELECT with one string argument on the client's own connection (pool). */
export type DriverQuery = (sql: string, argument: string) => Promise<unknown[][]>;

/** What `open()` hands the store: the client, and a way to its driver adapter. */
export interface OwnedConnection {
  readonly client: OwnedPrismaClient;
  /**
   * The query through the driver adapter the client connected, without the client's query
   * runtime (measured at ≈ 150 µs of CPU per query on top of the driver). Same connection,
   * same pool, same timeouts and the same lock as the client's own queries.
   */
  readonly driverQuery: DriverQuery;
}

const STRING_ARGUMENT = [{ scalarType: "string", arity: "scalar" }] as { scalarType: "string"; arity: "scalar" }[];

/**
 * Makes `factory.connect()` (which the PrismaClient calls to connect, and again after a
 * `$disconnect()`) remember the adapter it answers, and returns the query on it.
 */
function rememberConnectedAdapter<Adapter extends DriverQueryable>(factory: {
  connect(): Promise<Adapter>;
}): DriverQuery {
  let connected: Adapter | undefined;
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    connected = await connect();
    return connected;
  };
  return async (sql, argument) => {
    // `open()` ran its DDL through the client before handing out the store, so it is connected.
    if (connected === undefined) throw new Error("PrismaUserStore: the database connection is not open");
    return (await connected.queryRaw({ sql, args: [argument], argTypes: STRING_ARGUMENT })).rows;
  };
}

/**
 * What `PrismaUserStore.open()` does before it hands out a store: checks that the database
 * answers (one connection through the driver, for a precise and fast error), creates the
 * package's own PrismaClient, and creates auth101's tables if they are missing. Every
 * failure is a `DatabaseConnectionError` whose message names the database and the cause.
 */
export async function openOwnedClient(
  target: DatabaseTarget,
  timeouts: ConnectionTimeouts,
  preparedStatements: PreparedStatements,
): Promise<OwnedConnection> {
  await probeDatabase(target, driverUrl(target, timeouts), timeouts.connectTimeoutMs);
  const { client, driverQuery } = await createOwnedClient(target, timeouts, preparedStatements);
  try {
    await ensureAuth101Tables(client, target, {
      maxWaitMs: timeouts.connectTimeoutMs,
      timeoutMs: timeouts.connectTimeoutMs + 2 * timeouts.queryTimeoutMs,
    });
  } catch (error) {
    await client.$disconnect().catch(() => undefined);
    throw openFailure(target, error);
  }
  return { client, driverQuery };
}

/** PostgreSQL: the names of the statements the server keeps prepared on each connection, by their SQL. */
export type PreparedStatements = ReadonlyMap<string, string>;

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
async function createOwnedClient(
  target: DatabaseTarget,
  timeouts: ConnectionTimeouts,
  preparedStatements: PreparedStatements,
): Promise<OwnedConnection> {
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
        {
          schema: target.schema,
          // Parsed and planned once per connection instead of on every call; every other
          // query stays unnamed, so the server keeps no statement per query shape.
          // ("" is pg's unnamed statement).
          statementNameGenerator: (query) => preparedStatements.get(query.sql) ?? "",
        },
      );
      const driverQuery = rememberConnectedAdapter(adapter);
      return { client: new PrismaClient({ adapter, errorFormat: "minimal" }), driverQuery };
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
      const driverQuery = rememberConnectedAdapter(adapter);
      return { client: new PrismaClient({ adapter, errorFormat: "minimal" }), driverQuery };
    }
    case "sqlite": {
      const [{ PrismaLibSql }, { PrismaClient }] = await Promise.all([
        importOptionalPackage("@prisma/adapter-libsql", () => import("@prisma/adapter-libsql"), purpose("SQLite")),
        importOptionalPackage("@prisma/client", () => import("./generated/sqlite/client.js"), purpose("SQLite")),
      ]);
      // `timeout` is SQLite's busy timeout: wait this long for another connection's write lock.
      const adapter = new PrismaLibSql({ url: target.url, timeout: timeouts.queryTimeoutMs });
      const driverQuery = rememberConnectedAdapter(adapter);
      return { client: new PrismaClient({ adapter, errorFormat: "minimal" }), driverQuery };
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
