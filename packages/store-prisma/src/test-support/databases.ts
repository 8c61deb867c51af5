import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaLibSql } from "@prisma/adapter-libsql";
import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as MysqlClient } from "../generated/mysql/client.js";
import { PrismaClient as PostgresClient } from "../generated/postgresql/client.js";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client.js";
import { quotePostgresIdentifier } from "../auth101-tables.js";
import type { DatabaseProvider } from "../database-url.js";

/** The services every machine runs (see .ci/services); override to test elsewhere. */
export const POSTGRES_SERVER_URL =
  process.env["AUTH101_TEST_POSTGRES_URL"] ?? "postgresql://postgres@127.0.0.1:5432/test";
export const MARIADB_SERVER_URL = process.env["AUTH101_TEST_MARIADB_URL"] ?? "mysql://root@127.0.0.1:3306/test";

/**
 * A database (PostgreSQL: a schema) that exists only for one test file, under a random name
 * so concurrent runs never meet, dropped afterwards.
 */
export interface ThrowawayDatabase {
  readonly provider: DatabaseProvider;
  /** What `PrismaUserStore.open()` gets. */
  readonly url: string;
  /** The same database reached through another port on 127.0.0.1 (a proxy in front of the server). */
  urlThroughPort(port: number): string;
  /**
   * Runs the shipped prisma-migrate migrations in order, statement by statement, as `prisma
   * migrate deploy` would: all of them, or only the first release's (`auth_users` alone), which
   * is what a database made by that release holds.
   */
  applyShippedMigrations(upTo?: "first release"): Promise<void>;
  /** Columns, indexes and foreign keys of auth101's tables, normalized so two databases compare equal. */
  describeTables(): Promise<unknown>;
  /** Runs SQL with an admin connection inside this database. */
  execute(sql: string, ...values: unknown[]): Promise<void>;
  drop(): Promise<void>;
}

/** The shipped migrations, oldest first. */
const MIGRATION_NAMES = [
  "20261125000000_auth101_create_auth_users",
  "20261201000000_auth101_create_auth_sessions",
  "20261201000001_auth101_one_time_tokens",
];
const TABLES = ["auth_users", "auth_sessions", "auth_one_time_tokens"];

export async function shippedMigrationStatements(
  provider: DatabaseProvider,
  upTo?: "first release",
): Promise<string[]> {
  const statements: string[] = [];
  for (const name of upTo === "first release" ? MIGRATION_NAMES.slice(0, 1) : MIGRATION_NAMES) {
    const path = fileURLToPath(new URL(`../../prisma/${provider}/migrations/${name}/migration.sql`, import.meta.url));
    const sql = await readFile(path, "utf8");
    statements.push(
      ...sql
        .split(/;\s*$/m)
        .map((statement) => statement.replace(/^\s*--.*$/gm, "").trim())
        .filter((statement) => statement !== ""),
    );
  }
  return statements;
}

const randomName = (): string => `auth101_test_${randomBytes(6).toString("hex")}`;

function withPort(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return url.toString();
}

export async function createPostgresSchema(): Promise<ThrowawayDatabase> {
  const schema = randomName();
  const admin = new PostgresClient({ adapter: new PrismaPg({ connectionString: POSTGRES_SERVER_URL }) });
  await admin.$executeRawUnsafe(`CREATE SCHEMA ${quotePostgresIdentifier(schema)}`);
  const url = new URL(POSTGRES_SERVER_URL);
  url.searchParams.set("schema", schema);
  const inSchema = <Result>(
    work: (tx: Pick<PostgresClient, "$executeRawUnsafe" | "$queryRawUnsafe">) => Promise<Result>,
  ) =>
    admin.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL search_path TO ${quotePostgresIdentifier(schema)}`);
      return work(tx);
    });
  return {
    provider: "postgresql",
    url: url.toString(),
    urlThroughPort: (port) => withPort(url.toString(), port),
    async applyShippedMigrations(upTo) {
      const statements = await shippedMigrationStatements("postgresql", upTo);
      await inSchema(async (tx) => {
        for (const statement of statements) await tx.$executeRawUnsafe(statement);
      });
    },
    async describeTables() {
      const columns = await admin.$queryRawUnsafe(
        `SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length, datetime_precision
           FROM information_schema.columns WHERE table_schema = $1 AND table_name IN ('auth_users', 'auth_sessions', 'auth_one_time_tokens') ORDER BY table_name, ordinal_position`,
        schema,
      );
      const indexes = (await admin.$queryRawUnsafe(
        `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename IN ('auth_users', 'auth_sessions', 'auth_one_time_tokens') ORDER BY indexname`,
        schema,
      )) as { indexname: string; indexdef: string }[];
      const constraints = (await admin.$queryRawUnsafe(
        `SELECT c.conname::text AS name, pg_get_constraintdef(c.oid)::text AS definition, c.contype::text AS kind
           FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
          WHERE n.nspname = $1 ORDER BY c.conname`,
        schema,
      )) as { name: string; kind: string; definition: string }[];
      const unqualified = (text: string): string =>
        text.replaceAll(`${quotePostgresIdentifier(schema)}.`, "").replaceAll(`${schema}.`, "");
      return {
        columns,
        indexes: indexes.map((index) => ({ ...index, indexdef: unqualified(index.indexdef) })),
        constraints: constraints.map((constraint) => ({
          ...constraint,
          definition: unqualified(constraint.definition),
        })),
      };
    },
    async execute(sql, ...values) {
      await inSchema((tx) => tx.$executeRawUnsafe(sql, ...values));
    },
    async drop() {
      await admin.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${quotePostgresIdentifier(schema)} CASCADE`);
      await admin.$disconnect();
    },
  };
}

export async function createMariaDbDatabase(): Promise<ThrowawayDatabase> {
  const database = randomName();
  // One connection each: by default a mariadb pool keeps ten open, and the server allows 151.
  const singleConnection = (url: URL): PrismaMariaDb => {
    const withLimit = new URL(url);
    withLimit.searchParams.set("connectionLimit", "1");
    return new PrismaMariaDb(withLimit.toString());
  };
  const server = new MysqlClient({ adapter: singleConnection(new URL(MARIADB_SERVER_URL)) });
  await server.$executeRawUnsafe(`CREATE DATABASE \`${database}\``);
  const url = new URL(MARIADB_SERVER_URL);
  url.pathname = `/${database}`;
  const admin = new MysqlClient({ adapter: singleConnection(url) });
  return {
    provider: "mysql",
    url: url.toString(),
    urlThroughPort: (port) => withPort(url.toString(), port),
    async applyShippedMigrations(upTo) {
      for (const statement of await shippedMigrationStatements("mysql", upTo)) await admin.$executeRawUnsafe(statement);
    },
    async describeTables() {
      const columns = await admin.$queryRawUnsafe(
        `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, CHARACTER_SET_NAME, COLLATION_NAME
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      );
      const indexes = await admin.$queryRawUnsafe(
        `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME
           FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      );
      const foreignKeys = await admin.$queryRawUnsafe(
        `SELECT CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME, UPDATE_RULE, DELETE_RULE
           FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY CONSTRAINT_NAME`,
      );
      const tables = await admin.$queryRawUnsafe(
        `SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME`,
      );
      return { tables, columns, indexes, foreignKeys };
    },
    async execute(sql, ...values) {
      await admin.$executeRawUnsafe(sql, ...values);
    },
    async drop() {
      await admin.$disconnect();
      await server.$executeRawUnsafe(`DROP DATABASE IF EXISTS \`${database}\``);
      await server.$disconnect();
    },
  };
}

export async function createSqliteFile(): Promise<ThrowawayDatabase> {
  const directory = await mkdtemp(join(tmpdir(), "auth101-store-prisma-"));
  const url = `file:${join(directory, "users.db")}`;
  const admin = new SqliteClient({ adapter: new PrismaLibSql({ url, timeout: 5_000 }) });
  return {
    provider: "sqlite",
    url,
    urlThroughPort: () => {
      throw new Error("SQLite has no port");
    },
    async applyShippedMigrations(upTo) {
      for (const statement of await shippedMigrationStatements("sqlite", upTo))
        await admin.$executeRawUnsafe(statement);
    },
    async describeTables() {
      const described: Record<string, unknown> = {};
      for (const table of TABLES) {
        const columns = await admin.$queryRawUnsafe(
          `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`,
          table,
        );
        const indexes = await admin.$queryRawUnsafe(
          `SELECT il.name, il."unique", il.origin, ii.name AS column_name
             FROM pragma_index_list(?) AS il JOIN pragma_index_info(il.name) AS ii ORDER BY il.name, ii.seqno`,
          table,
        );
        const foreignKeys = await admin.$queryRawUnsafe(
          `SELECT "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`,
          table,
        );
        described[table] = { columns, indexes, foreignKeys };
      }
      return described;
    },
    async execute(sql, ...values) {
      await admin.$executeRawUnsafe(sql, ...values);
    },
    async drop() {
      await admin.$disconnect();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
