import type { DatabaseTarget } from "./database-url.js";

/**
 * The SQL `PrismaUserStore.open()` runs to create the `auth_users` table when it is missing.
 *
 * It creates exactly what the reviewed migrations in prisma/<provider>/migrations create (a
 * test compares the two tables column by column), in an idempotent form: IF NOT EXISTS, and on
 * PostgreSQL under an advisory lock because two concurrent CREATE TABLE IF NOT EXISTS there
 * can still collide. The index name is the one Prisma Migrate gives `email @unique`.
 */
export const TABLE_NAME = "auth_users";
export const EMAIL_INDEX_NAME = "auth_users_email_key";

/** What `ensureAuthUsersTable` needs from a PrismaClient. */
export interface RawSqlClient {
  $queryRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  $transaction<Result>(
    work: (transaction: RawSqlTransaction) => Promise<Result>,
    options?: { maxWait?: number; timeout?: number },
  ): Promise<Result>;
}

export type RawSqlTransaction = Pick<RawSqlClient, "$queryRawUnsafe" | "$executeRawUnsafe">;

export interface EnsureTableTimeouts {
  /** How long to wait for the transaction's connection (PostgreSQL). */
  readonly maxWaitMs: number;
  /** How long the whole creation may take, waiting for another process's lock included. */
  readonly timeoutMs: number;
}

/**
 * Creates `auth_users` and its unique email index if they are missing. Cheap when they exist
 * (one catalog lookup), and then needs no DDL privilege, so an app whose database user may
 * only read and write rows can still call `open()` against a migrated database.
 */
export async function ensureAuthUsersTable(
  client: RawSqlClient,
  target: DatabaseTarget,
  timeouts: EnsureTableTimeouts,
): Promise<void> {
  switch (target.provider) {
    case "postgresql":
      return ensurePostgresTable(client, target.schema, timeouts);
    case "mysql":
      return ensureMysqlTable(client);
    case "sqlite":
      return ensureSqliteTable(client);
  }
}

// ---- PostgreSQL -------------------------------------------------------------------------

/** Any constant works; it only has to be the same in every process that creates the table. */
const POSTGRES_CREATE_LOCK = "SELECT pg_advisory_xact_lock(2021101101)";

export function quotePostgresIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function postgresCreateTableSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quotePostgresIdentifier(schema)}."auth_users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "auth_users_pkey" PRIMARY KEY ("id")
)`;
}

export function postgresCreateIndexSql(schema: string): string {
  return `CREATE UNIQUE INDEX IF NOT EXISTS "auth_users_email_key" ON ${quotePostgresIdentifier(schema)}."auth_users"("email")`;
}

async function ensurePostgresTable(client: RawSqlClient, schema: string, timeouts: EnsureTableTimeouts): Promise<void> {
  const indexExists = (queryable: RawSqlTransaction): Promise<boolean> =>
    hasRows(
      queryable.$queryRawUnsafe(
        "SELECT 1 FROM pg_catalog.pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexname = $3",
        schema,
        TABLE_NAME,
        EMAIL_INDEX_NAME,
      ),
    );
  if (await indexExists(client)) return;
  await client.$transaction(
    async (transaction) => {
      await transaction.$executeRawUnsafe(POSTGRES_CREATE_LOCK);
      if (await indexExists(transaction)) return;
      const schemaExists = await hasRows(
        transaction.$queryRawUnsafe("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", schema),
      );
      if (!schemaExists)
        await transaction.$executeRawUnsafe(`CREATE SCHEMA IF NOT EXISTS ${quotePostgresIdentifier(schema)}`);
      await transaction.$executeRawUnsafe(postgresCreateTableSql(schema));
      await transaction.$executeRawUnsafe(postgresCreateIndexSql(schema));
    },
    { maxWait: timeouts.maxWaitMs, timeout: timeouts.timeoutMs },
  );
}

// ---- MySQL / MariaDB --------------------------------------------------------------------

/**
 * utf8mb4_bin makes email comparison exact, as on PostgreSQL and SQLite; the server default
 * collations are case- and accent-insensitive, which would make "zoë@x" and "zoe@x" collide.
 * 320 characters hold any address the core accepts (it allows 254).
 */
export const MYSQL_CREATE_TABLE_SQL = `CREATE TABLE IF NOT EXISTS \`auth_users\` (
    \`id\` VARCHAR(191) NOT NULL,
    \`email\` VARCHAR(320) NOT NULL,
    \`password_hash\` TEXT NOT NULL,
    \`is_active\` BOOLEAN NOT NULL DEFAULT true,
    \`created_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    \`updated_at\` DATETIME(3) NOT NULL,

    UNIQUE INDEX \`auth_users_email_key\`(\`email\`),
    PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`;

const MYSQL_CREATE_INDEX_SQL = "CREATE UNIQUE INDEX `auth_users_email_key` ON `auth_users`(`email`)";

async function ensureMysqlTable(client: RawSqlClient): Promise<void> {
  const indexExists = (): Promise<boolean> =>
    hasRows(
      client.$queryRawUnsafe(
        "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?",
        TABLE_NAME,
        EMAIL_INDEX_NAME,
      ),
    );
  if (await indexExists()) return;
  // A single CREATE TABLE with the index inline is atomic: a concurrent one waits on the
  // table's metadata lock, then finds the table there.
  await client.$executeRawUnsafe(MYSQL_CREATE_TABLE_SQL);
  if (await indexExists()) return;
  // The table predates us without the index. MySQL has no CREATE INDEX IF NOT EXISTS, so a
  // process racing us may win; that is fine as long as the index exists afterwards.
  try {
    await client.$executeRawUnsafe(MYSQL_CREATE_INDEX_SQL);
  } catch (error) {
    if (!(await indexExists())) throw error;
  }
}

// ---- SQLite -----------------------------------------------------------------------------

export const SQLITE_CREATE_TABLE_SQL = `CREATE TABLE IF NOT EXISTS "auth_users" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
)`;

export const SQLITE_CREATE_INDEX_SQL = `CREATE UNIQUE INDEX IF NOT EXISTS "auth_users_email_key" ON "auth_users"("email")`;

async function ensureSqliteTable(client: RawSqlClient): Promise<void> {
  const indexExists = await hasRows(
    client.$queryRawUnsafe(
      "SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?",
      TABLE_NAME,
      EMAIL_INDEX_NAME,
    ),
  );
  if (indexExists) return;
  // SQLite serializes writers (the busy timeout makes a second process wait rather than fail),
  // and both statements are no-ops when the other process got there first.
  await client.$executeRawUnsafe(SQLITE_CREATE_TABLE_SQL);
  await client.$executeRawUnsafe(SQLITE_CREATE_INDEX_SQL);
}

async function hasRows(rows: PromiseLike<unknown>): Promise<boolean> {
  const result = await rows;
  return Array.isArray(result) && result.length > 0;
}
