import type { DatabaseTarget } from "./database-url.js";

/**
 * The SQL `PrismaUserStore.open()` runs to create auth101's tables when they are missing:
 * `auth_users`, and, added after the first release (so a database made by that release gets
 * them on its next `open()`), `auth_sessions`, `auth_one_time_tokens` and the
 * `auth_users.email_verified` column.
 *
 * It creates exactly what the reviewed migrations in prisma/<provider>/migrations create (a
 * test compares the tables column by column), in an idempotent form: IF NOT EXISTS, and on
 * PostgreSQL under an advisory lock because two concurrent CREATE TABLE IF NOT EXISTS there
 * can still collide. Index and constraint names are the ones Prisma Migrate gives the models.
 */
export const TABLE_NAME = "auth_users";
export const EMAIL_INDEX_NAME = "auth_users_email_key";
export const SESSIONS_TABLE_NAME = "auth_sessions";
export const ONE_TIME_TOKENS_TABLE_NAME = "auth_one_time_tokens";
const ONE_TIME_TOKENS_INDEX_NAME = "auth_one_time_tokens_user_id_purpose_idx";
/** Created last on every provider, after the email_verified column: when it exists, everything does. */
const LAST_INDEX_NAME = ONE_TIME_TOKENS_INDEX_NAME;

/** What `ensureAuth101Tables` needs from a PrismaClient. */
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
 * Creates `auth_users`, `auth_sessions`, `auth_one_time_tokens`, the `email_verified` column
 * and their indexes and foreign keys if they are missing.
 * Cheap when they exist (one catalog lookup), and then needs no DDL privilege, so an app whose
 * database user may only read and write rows can still call `open()` against a migrated
 * database.
 */
export async function ensureAuth101Tables(
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

/** The foreign key sits in the CREATE TABLE (the migration adds it with ALTER TABLE; same result). */
export function postgresCreateSessionsSql(schema: string): string[] {
  const table = `${quotePostgresIdentifier(schema)}."auth_sessions"`;
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "auth_sessions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "auth_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES ${quotePostgresIdentifier(schema)}."auth_users"("id") ON DELETE CASCADE ON UPDATE CASCADE
)`,
    `CREATE INDEX IF NOT EXISTS "auth_sessions_user_id_idx" ON ${table}("user_id")`,
    `CREATE INDEX IF NOT EXISTS "auth_sessions_expires_at_idx" ON ${table}("expires_at")`,
  ];
}

/** The verified flag, then the tokens table (foreign key inline; the migration adds it with ALTER TABLE). */
export function postgresOneTimeTokensSql(schema: string): string[] {
  const users = `${quotePostgresIdentifier(schema)}."auth_users"`;
  const table = `${quotePostgresIdentifier(schema)}."auth_one_time_tokens"`;
  return [
    `ALTER TABLE ${users} ADD COLUMN IF NOT EXISTS "email_verified" BOOLEAN NOT NULL DEFAULT false`,
    `CREATE TABLE IF NOT EXISTS ${table} (
    "token_hash" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "auth_one_time_tokens_pkey" PRIMARY KEY ("token_hash"),
    CONSTRAINT "auth_one_time_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES ${users}("id") ON DELETE CASCADE ON UPDATE CASCADE
)`,
    `CREATE INDEX IF NOT EXISTS "auth_one_time_tokens_user_id_purpose_idx" ON ${table}("user_id", "purpose")`,
  ];
}

async function ensurePostgresTable(client: RawSqlClient, schema: string, timeouts: EnsureTableTimeouts): Promise<void> {
  const tablesExist = async (queryable: RawSqlTransaction): Promise<boolean> =>
    (await countRows(
      queryable.$queryRawUnsafe(
        "SELECT 1 FROM pg_catalog.pg_indexes WHERE schemaname = $1 AND indexname IN ($2, $3)",
        schema,
        EMAIL_INDEX_NAME,
        LAST_INDEX_NAME,
      ),
    )) === 2;
  if (await tablesExist(client)) return;
  await client.$transaction(
    async (transaction) => {
      await transaction.$executeRawUnsafe(POSTGRES_CREATE_LOCK);
      if (await tablesExist(transaction)) return;
      const schemaExists = await hasRows(
        transaction.$queryRawUnsafe("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", schema),
      );
      if (!schemaExists)
        await transaction.$executeRawUnsafe(`CREATE SCHEMA IF NOT EXISTS ${quotePostgresIdentifier(schema)}`);
      await transaction.$executeRawUnsafe(postgresCreateTableSql(schema));
      await transaction.$executeRawUnsafe(postgresCreateIndexSql(schema));
      for (const statement of postgresCreateSessionsSql(schema)) await transaction.$executeRawUnsafe(statement);
      for (const statement of postgresOneTimeTokensSql(schema)) await transaction.$executeRawUnsafe(statement);
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

/**
 * One statement, so it is atomic: indexes and foreign key inline (the migration adds the key
 * with ALTER TABLE; same result). utf8mb4_bin like auth_users: a foreign key column must have
 * the collation of the column it references.
 */
export const MYSQL_CREATE_SESSIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS \`auth_sessions\` (
    \`id\` VARCHAR(191) NOT NULL,
    \`user_id\` VARCHAR(191) NOT NULL,
    \`created_at\` DATETIME(3) NOT NULL,
    \`expires_at\` DATETIME(3) NOT NULL,

    INDEX \`auth_sessions_user_id_idx\`(\`user_id\`),
    INDEX \`auth_sessions_expires_at_idx\`(\`expires_at\`),
    PRIMARY KEY (\`id\`),
    CONSTRAINT \`auth_sessions_user_id_fkey\` FOREIGN KEY (\`user_id\`) REFERENCES \`auth_users\`(\`id\`) ON DELETE CASCADE ON UPDATE CASCADE
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`;

/** Like the sessions table: one atomic statement, indexes and foreign key inline, utf8mb4_bin. */
export const MYSQL_CREATE_ONE_TIME_TOKENS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS \`auth_one_time_tokens\` (
    \`token_hash\` VARCHAR(191) NOT NULL,
    \`purpose\` VARCHAR(191) NOT NULL,
    \`user_id\` VARCHAR(191) NOT NULL,
    \`email\` VARCHAR(320) NOT NULL,
    \`expires_at\` DATETIME(3) NOT NULL,

    INDEX \`auth_one_time_tokens_user_id_purpose_idx\`(\`user_id\`, \`purpose\`),
    PRIMARY KEY (\`token_hash\`),
    CONSTRAINT \`auth_one_time_tokens_user_id_fkey\` FOREIGN KEY (\`user_id\`) REFERENCES \`auth_users\`(\`id\`) ON DELETE CASCADE ON UPDATE CASCADE
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`;

const MYSQL_ADD_EMAIL_VERIFIED_SQL =
  "ALTER TABLE `auth_users` ADD COLUMN `email_verified` BOOLEAN NOT NULL DEFAULT false";

async function ensureMysqlTable(client: RawSqlClient): Promise<void> {
  const tokensExist = (): Promise<boolean> =>
    hasRows(
      client.$queryRawUnsafe(
        "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?",
        ONE_TIME_TOKENS_TABLE_NAME,
        LAST_INDEX_NAME,
      ),
    );
  if (await tokensExist()) return;
  await ensureMysqlUsersTable(client);
  await client.$executeRawUnsafe(MYSQL_CREATE_SESSIONS_TABLE_SQL);
  await ensureMysqlEmailVerifiedColumn(client);
  await client.$executeRawUnsafe(MYSQL_CREATE_ONE_TIME_TOKENS_TABLE_SQL);
}

/** MySQL has no ADD COLUMN IF NOT EXISTS: look, add, and accept losing a race to another process. */
async function ensureMysqlEmailVerifiedColumn(client: RawSqlClient): Promise<void> {
  const columnExists = (): Promise<boolean> =>
    hasRows(
      client.$queryRawUnsafe(
        "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?",
        TABLE_NAME,
        "email_verified",
      ),
    );
  if (await columnExists()) return;
  try {
    await client.$executeRawUnsafe(MYSQL_ADD_EMAIL_VERIFIED_SQL);
  } catch (error) {
    if (!(await columnExists())) throw error;
  }
}

async function ensureMysqlUsersTable(client: RawSqlClient): Promise<void> {
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

export const SQLITE_CREATE_SESSIONS_SQL = [
  `CREATE TABLE IF NOT EXISTS "auth_sessions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "expires_at" DATETIME NOT NULL,
    CONSTRAINT "auth_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
)`,
  `CREATE INDEX IF NOT EXISTS "auth_sessions_user_id_idx" ON "auth_sessions"("user_id")`,
  `CREATE INDEX IF NOT EXISTS "auth_sessions_expires_at_idx" ON "auth_sessions"("expires_at")`,
];

export const SQLITE_ADD_EMAIL_VERIFIED_SQL = `ALTER TABLE "auth_users" ADD COLUMN "email_verified" BOOLEAN NOT NULL DEFAULT false`;

export const SQLITE_CREATE_ONE_TIME_TOKENS_SQL = [
  `CREATE TABLE IF NOT EXISTS "auth_one_time_tokens" (
    "token_hash" TEXT NOT NULL PRIMARY KEY,
    "purpose" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "expires_at" DATETIME NOT NULL,
    CONSTRAINT "auth_one_time_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
)`,
  `CREATE INDEX IF NOT EXISTS "auth_one_time_tokens_user_id_purpose_idx" ON "auth_one_time_tokens"("user_id", "purpose")`,
];

async function ensureSqliteTable(client: RawSqlClient): Promise<void> {
  const existing = await countRows(
    client.$queryRawUnsafe(
      "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name IN (?, ?)",
      EMAIL_INDEX_NAME,
      LAST_INDEX_NAME,
    ),
  );
  if (existing === 2) return;
  // SQLite serializes writers (the busy timeout makes a second process wait rather than fail),
  // and every statement is a no-op when the other process got there first.
  for (const statement of [SQLITE_CREATE_TABLE_SQL, SQLITE_CREATE_INDEX_SQL, ...SQLITE_CREATE_SESSIONS_SQL]) {
    await client.$executeRawUnsafe(statement);
  }
  // SQLite has no ADD COLUMN IF NOT EXISTS: look, add, and accept losing a race to another process.
  const columnExists = (): Promise<boolean> =>
    hasRows(client.$queryRawUnsafe("SELECT 1 FROM pragma_table_info('auth_users') WHERE name = 'email_verified'"));
  if (!(await columnExists())) {
    try {
      await client.$executeRawUnsafe(SQLITE_ADD_EMAIL_VERIFIED_SQL);
    } catch (error) {
      if (!(await columnExists())) throw error;
    }
  }
  for (const statement of SQLITE_CREATE_ONE_TIME_TOKENS_SQL) await client.$executeRawUnsafe(statement);
}

async function hasRows(rows: PromiseLike<unknown>): Promise<boolean> {
  return (await countRows(rows)) > 0;
}

async function countRows(rows: PromiseLike<unknown>): Promise<number> {
  const result = await rows;
  return Array.isArray(result) ? result.length : 0;
}
