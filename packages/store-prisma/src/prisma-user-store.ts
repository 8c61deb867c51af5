import { randomUUID } from "node:crypto";
import type {
  NewUser,
  OneTimeTokenPurpose,
  SessionWithUser,
  StoredOneTimeToken,
  StoredSession,
  StoredUser,
  User,
  UserStore,
} from "@auth101/core";
import { EmailTakenError } from "@auth101/core";
import { quotePostgresIdentifier } from "./auth101-tables.js";
import { type DriverQuery, type OwnedConnection, openOwnedClient } from "./connect.js";
import { type DatabaseTarget, parseDatabaseUrl } from "./database-url.js";
import { type OpenOptions, resolveOpenOptions } from "./open-options.js";
import { isUniqueViolation } from "./unique-violation.js";

const USER_COLUMNS = { id: true, email: true, isActive: true, emailVerified: true } as const;
const STORED_USER_COLUMNS = { id: true, email: true, isActive: true, emailVerified: true, passwordHash: true } as const;
const TOKEN_COLUMNS = { tokenHash: true, purpose: true, userId: true, email: true, expiresAt: true } as const;
const SESSION_COLUMNS = { id: true, userId: true, createdAt: true, expiresAt: true } as const;
type SessionOrder = [{ createdAt: "desc" }, { id: "desc" }];
/** Newest first; the id breaks ties between sessions created in the same millisecond. */
const newestSessionFirst = (): SessionOrder => [{ createdAt: "desc" }, { id: "desc" }];

interface UserRow {
  id: string;
  email: string;
  isActive: boolean;
  emailVerified: boolean;
  /** Present when selected. */
  passwordHash?: string;
}

interface OneTimeTokenRow {
  tokenHash: string;
  purpose: string;
  userId: string;
  email: string;
  expiresAt: Date;
}

/**
 * The part of a generated `prisma.auth101User` delegate the store calls. Any PrismaClient whose
 * schema has the auth101 model (see the README) fits; the store never imports your generated
 * types. (One signature per method on purpose: TypeScript cannot match Prisma's generic
 * methods against overloads.)
 */
export interface Auth101UserDelegate {
  findUnique(args: {
    where: { id: string } | { email: string };
    select: { id: true; email: true; isActive: true; emailVerified: true; passwordHash?: true };
  }): PromiseLike<UserRow | null>;
  create(args: {
    data: { id: string; email: string; passwordHash: string; isActive: boolean };
    select: { id: true; email: true; isActive: true; emailVerified: true };
  }): PromiseLike<UserRow>;
  updateMany(args: {
    where: { id: string } | { id: string; email: string };
    data: { passwordHash: string } | { isActive: boolean } | { emailVerified: boolean };
  }): PromiseLike<{ count: number }>;
  deleteMany(args: { where: { id: string } }): PromiseLike<{ count: number }>;
}

interface SessionRow {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** The part of a generated `prisma.auth101Session` delegate the store calls. */
export interface Auth101SessionDelegate {
  create(args: {
    data: { id: string; userId: string; createdAt: Date; expiresAt: Date };
    select: { id: true };
  }): PromiseLike<{ id: string }>;
  findMany(args: {
    where: { userId: string };
    orderBy: SessionOrder;
    select: { id: true; userId: true; createdAt: true; expiresAt: true };
  }): PromiseLike<SessionRow[]>;
  deleteMany(args: {
    where:
      | { id: string; userId: string }
      | { userId: string; id?: { not: string } }
      | { expiresAt: { lte: Date }; userId?: string };
  }): PromiseLike<{ count: number }>;
}

/** The part of a generated `prisma.auth101OneTimeToken` delegate the store calls. */
export interface Auth101OneTimeTokenDelegate {
  findUnique(args: {
    where: { tokenHash: string };
    select: { tokenHash: true; purpose: true; userId: true; email: true; expiresAt: true };
  }): PromiseLike<OneTimeTokenRow | null>;
  create(args: {
    data: { tokenHash: string; purpose: string; userId: string; email: string; expiresAt: Date };
    select: { tokenHash: true };
  }): PromiseLike<{ tokenHash: string }>;
  deleteMany(args: {
    where: { tokenHash: string; purpose: string } | { userId: string } | { userId: string; purpose: string };
  }): PromiseLike<{ count: number }>;
}

/** What `replaceOneTimeToken` uses inside its transaction. */
export interface Auth101TransactionClient {
  readonly auth101OneTimeToken: Auth101OneTimeTokenDelegate;
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
}

/** A PrismaClient with the auth101 models, as `new PrismaUserStore(prisma)` takes it. */
export interface Auth101PrismaClient {
  readonly auth101User: Auth101UserDelegate;
  readonly auth101Session: Auth101SessionDelegate;
  readonly auth101OneTimeToken: Auth101OneTimeTokenDelegate;
  /** `findSession` reads a session and its user with one SQL join. */
  $queryRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<unknown>;
  /** `replaceOneTimeToken` retires a user's older token and stores the new one in one transaction. */
  $transaction<Result>(work: (transaction: Auth101TransactionClient) => Promise<Result>): PromiseLike<Result>;
}

export interface PrismaUserStoreOptions {
  /**
   * PostgreSQL only: the schema holding auth101's tables when it is not on the connection's
   * search_path — the `schema` you gave `new PrismaPg(pool, { schema })`. The one raw query
   * (the session lookup, a join) and the row lock of `replaceOneTimeToken` name it; every other
   * query goes through your client.
   */
  readonly schema?: string;
}

/** A store made by `PrismaUserStore.open()`: it owns its connection pool and must be closed. */
export type OpenedPrismaUserStore = PrismaUserStore & {
  /** Closes the store's connections. Safe to call more than once. */
  close(): Promise<void>;
};

/**
 * auth101's users in PostgreSQL, MySQL/MariaDB or SQLite through Prisma 7.
 *
 * - `new PrismaUserStore(prisma)` uses your PrismaClient, whose schema has the auth101 model.
 * - `await PrismaUserStore.open(databaseUrl)` needs nothing but a URL: it picks the driver
 *   adapter, creates the `auth_users` and `auth_sessions` tables if they are missing, and returns
 *   a store to `close()`.
 *
 * Emails arrive normalized by the core and are stored and looked up exactly as given, through
 * the unique index. A duplicate email is refused by that index (never a read before the
 * write) and surfaces as `EmailTakenError`; every other database error propagates unchanged,
 * and the core answers STORE_UNAVAILABLE.
 */
export class PrismaUserStore implements UserStore {
  readonly #users: Auth101UserDelegate;
  readonly #sessions: Auth101SessionDelegate;
  readonly #tokens: Auth101OneTimeTokenDelegate;
  readonly #prisma: Auth101PrismaClient;
  readonly #findSessionQuery: TemplateStringsArray;
  readonly #lockUserQuery: TemplateStringsArray;

  constructor(prisma: Auth101PrismaClient, options: PrismaUserStoreOptions = {}) {
    const client = prisma as Partial<Auth101PrismaClient> | null | undefined;
    if (typeof client?.auth101User?.findUnique !== "function") {
      throw new TypeError(
        "PrismaUserStore needs a PrismaClient whose schema has the auth101 model (`model Auth101User`, " +
          "mapped to the auth_users table); `prisma.auth101User` is missing. See the @auth101/store-prisma README.",
      );
    }
    if (typeof client.auth101Session?.deleteMany !== "function" || typeof client.$queryRaw !== "function") {
      throw new TypeError(
        "PrismaUserStore needs a PrismaClient whose schema has the auth101 session model (`model Auth101Session`, " +
          "mapped to the auth_sessions table, new in this version); `prisma.auth101Session` is missing. " +
          "See the @auth101/store-prisma README.",
      );
    }
    if (typeof client.auth101OneTimeToken?.deleteMany !== "function" || typeof client.$transaction !== "function") {
      throw new TypeError(
        "PrismaUserStore needs a PrismaClient whose schema has the auth101 one-time-token model (`model " +
          "Auth101OneTimeToken`, mapped to the auth_one_time_tokens table, and `emailVerified` on Auth101User, new " +
          "in this version); `prisma.auth101OneTimeToken` is missing. See the @auth101/store-prisma README.",
      );
    }
    if (options.schema !== undefined && (typeof options.schema !== "string" || options.schema === "")) {
      throw new TypeError("PrismaUserStore: options.schema must be a non-empty schema name");
    }
    this.#prisma = prisma;
    this.#users = client.auth101User;
    this.#sessions = client.auth101Session;
    this.#tokens = client.auth101OneTimeToken;
    this.#findSessionQuery = findSessionQuery(options.schema);
    this.#lockUserQuery = lockUserQuery(options.schema);
  }

  /**
   * Connects to `databaseUrl` (postgresql:// or postgres://, mysql:// or mariadb://, file:),
   * creates auth101's tables (`auth_users`, `auth_sessions`) and their indexes if they are
   * missing (so a database made by an earlier release is upgraded in place), and
   * returns a ready store. Safe to call from several processes at once.
   *
   * A database it cannot reach or use rejects with a `DatabaseConnectionError` whose message
   * names the database (never the password) and the cause; an unknown option, with a TypeError.
   */
  static async open(databaseUrl: string, options?: OpenOptions): Promise<OpenedPrismaUserStore> {
    const target = parseDatabaseUrl(databaseUrl);
    const timeouts = resolveOpenOptions(options);
    const findSessionSql = driverFindSessionSql(target);
    const connection = await openOwnedClient(target, timeouts, new Map([[findSessionSql, FIND_SESSION_STATEMENT]]));
    return new OwnedPrismaUserStore(
      connection,
      findSessionSql,
      target.provider === "postgresql" ? { schema: target.schema } : {},
    );
  }

  async findById(id: string): Promise<User | null> {
    const row = await this.#users.findUnique({ where: { id }, select: USER_COLUMNS });
    return row === null ? null : toUser(row);
  }

  async findByEmail(email: string): Promise<StoredUser | null> {
    const row = await this.#users.findUnique({ where: { email }, select: STORED_USER_COLUMNS });
    if (row === null) return null;
    if (typeof row.passwordHash !== "string")
      throw new Error("The PrismaClient returned a user without the selected passwordHash");
    return { ...toUser(row), passwordHash: row.passwordHash };
  }

  async create(user: NewUser): Promise<User> {
    try {
      const row = await this.#users.create({
        data: { id: randomUUID(), email: user.email, passwordHash: user.passwordHash, isActive: true },
        select: USER_COLUMNS,
      });
      return toUser(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    // updateMany: an unknown id changes nothing instead of throwing, like the other stores.
    await this.#users.updateMany({ where: { id }, data: { passwordHash } });
  }

  async setActive(id: string, isActive: boolean): Promise<void> {
    await this.#users.updateMany({ where: { id }, data: { isActive } });
  }

  async deleteUser(id: string): Promise<void> {
    // The database deletes the user's sessions with it (ON DELETE CASCADE).
    await this.#users.deleteMany({ where: { id } });
  }

  async createSession(session: StoredSession): Promise<void> {
    // An unknown user id fails the foreign key; the error propagates like any database error.
    await this.#sessions.create({
      data: { id: session.id, userId: session.userId, createdAt: session.createdAt, expiresAt: session.expiresAt },
      select: { id: true },
    });
  }

  async findSession(id: string): Promise<SessionWithUser | null> {
    const rows = await this.#prisma.$queryRaw(this.#findSessionQuery, id);
    if (!Array.isArray(rows) || rows.length === 0) return null;
    return toSessionWithUser(rows[0] as SessionJoinRow);
  }

  async listSessions(userId: string): Promise<StoredSession[]> {
    const rows = await this.#sessions.findMany({
      where: { userId },
      orderBy: newestSessionFirst(),
      select: SESSION_COLUMNS,
    });
    return rows.map(toStoredSession);
  }

  async deleteSession(id: string, userId: string): Promise<boolean> {
    const { count } = await this.#sessions.deleteMany({ where: { id, userId } });
    return count > 0;
  }

  async deleteUserSessions(userId: string, exceptId?: string): Promise<void> {
    await this.#sessions.deleteMany({
      where: exceptId === undefined ? { userId } : { userId, id: { not: exceptId } },
    });
  }

  async deleteExpiredSessions(now: Date, userId?: string): Promise<number> {
    const { count } = await this.#sessions.deleteMany({
      where: userId === undefined ? { expiresAt: { lte: now } } : { expiresAt: { lte: now }, userId },
    });
    return count;
  }

  async replaceOneTimeToken(token: StoredOneTimeToken): Promise<void> {
    await this.#prisma.$transaction(async (transaction) => {
      // Locks the user's row until commit, so concurrent replacements for one user take turns
      // and exactly one token of a purpose survives them.
      await transaction.$executeRaw(this.#lockUserQuery, token.userId);
      await transaction.auth101OneTimeToken.deleteMany({ where: { userId: token.userId, purpose: token.purpose } });
      // An unknown user id fails the foreign key; the error propagates like any database error.
      await transaction.auth101OneTimeToken.create({
        data: {
          tokenHash: token.tokenHash,
          purpose: token.purpose,
          userId: token.userId,
          email: token.email,
          expiresAt: token.expiresAt,
        },
        select: { tokenHash: true },
      });
    });
  }

  async consumeOneTimeToken(tokenHash: string, purpose: OneTimeTokenPurpose): Promise<StoredOneTimeToken | null> {
    const row = await this.#tokens.findUnique({ where: { tokenHash }, select: TOKEN_COLUMNS });
    if (row === null || row.purpose !== purpose) return null;
    // Of concurrent consumers, only the one whose delete removed the row gets the token.
    const { count } = await this.#tokens.deleteMany({ where: { tokenHash, purpose } });
    return count === 1 ? toStoredToken(row, purpose) : null;
  }

  async deleteOneTimeTokens(userId: string, purpose?: OneTimeTokenPurpose): Promise<void> {
    await this.#tokens.deleteMany({ where: purpose === undefined ? { userId } : { userId, purpose } });
  }

  async markEmailVerified(userId: string, email: string): Promise<boolean> {
    const { count } = await this.#users.updateMany({ where: { id: userId, email }, data: { emailVerified: true } });
    if (count > 0) return true;
    // MySQL counts changed rows, not matched ones: an already verified user answers 0 there.
    const user = await this.#users.findUnique({ where: { id: userId }, select: USER_COLUMNS });
    return user !== null && user.email === email && user.emailVerified;
  }
}

/**
 * The store `open()` makes. It owns its client and the driver adapter under it, so the
 * session check, the query every authenticated request makes, goes to the adapter directly:
 * the same SQL on the same connections, without the PrismaClient's query runtime.
 */
class OwnedPrismaUserStore extends PrismaUserStore {
  readonly #client: OwnedConnection["client"];
  readonly #driverQuery: DriverQuery;
  readonly #findSessionSql: string;
  #closing: Promise<void> | undefined;

  constructor(connection: OwnedConnection, findSessionSql: string, options: PrismaUserStoreOptions) {
    super(connection.client, options);
    this.#client = connection.client;
    this.#driverQuery = connection.driverQuery;
    this.#findSessionSql = findSessionSql;
  }

  override async findSession(id: string): Promise<SessionWithUser | null> {
    // After close() the adapter is gone, while the client opens a new connection on its
    // next query: the client's way keeps answering as the other methods do.
    if (this.#closing !== undefined) return super.findSession(id);
    const [row] = await this.#driverQuery(this.#findSessionSql, id);
    if (row === undefined) return null;
    const [sessionId, userId, createdAt, expiresAt, email, isActive, emailVerified] = row;
    return toSessionWithUser({
      id: sessionId,
      user_id: userId,
      created_at: createdAt,
      expires_at: expiresAt,
      email,
      is_active: isActive,
      email_verified: emailVerified,
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#client.$disconnect();
    return this.#closing;
  }
}

/** Copies exactly the public fields, so nothing else a client extension adds can leak. */
function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, isActive: row.isActive, emailVerified: row.emailVerified };
}

function toStoredToken(row: OneTimeTokenRow, purpose: OneTimeTokenPurpose): StoredOneTimeToken {
  return { tokenHash: row.tokenHash, purpose, userId: row.userId, email: row.email, expiresAt: row.expiresAt };
}

/** A no-op update of the user's row: its row lock serializes token replacements for that user. */
function lockUserQuery(schema: string | undefined): TemplateStringsArray {
  const prefix = schema === undefined ? "" : `${quotePostgresIdentifier(schema)}.`;
  return templateOf([`UPDATE ${prefix}auth_users SET email_verified = email_verified WHERE id = `, ""]);
}

/** The shape of a tagged template's first argument, which is what $queryRaw and $executeRaw take. */
function templateOf(strings: string[]): TemplateStringsArray {
  return Object.freeze(Object.assign(strings, { raw: Object.freeze([...strings]) })) as unknown as TemplateStringsArray;
}

function toStoredSession(row: SessionRow): StoredSession {
  return { id: row.id, userId: row.userId, createdAt: row.createdAt, expiresAt: row.expiresAt };
}

/** What the join answers, as the driver gives it (column names, not model fields). */
interface SessionJoinRow {
  readonly id: unknown;
  readonly user_id: unknown;
  readonly created_at: unknown;
  readonly expires_at: unknown;
  readonly email: unknown;
  readonly is_active: unknown;
  readonly email_verified: unknown;
}

/**
 * One query, one round trip: the session's primary key and the user's primary key, joined.
 * Measured cheaper than `findUnique` with `include: { user }`, which Prisma runs as two
 * queries on SQLite and MariaDB (and on PostgreSQL unless the app enables relationJoins).
 * Unquoted lower-case names and Prisma's own placeholders make the same text valid on
 * PostgreSQL, MySQL/MariaDB and SQLite.
 */
function findSessionQuery(schema: string | undefined): TemplateStringsArray {
  return templateOf([findSessionSqlBeforeId(schema), ""]);
}

function findSessionSqlBeforeId(schema: string | undefined): string {
  const prefix = schema === undefined ? "" : `${quotePostgresIdentifier(schema)}.`;
  // The column order is the row order `OwnedPrismaUserStore.findSession` reads.
  return (
    "SELECT s.id, s.user_id, s.created_at, s.expires_at, u.email, u.is_active, u.email_verified" +
    ` FROM ${prefix}auth_sessions s JOIN ${prefix}auth_users u ON u.id = s.user_id WHERE s.id = `
  );
}

/** The name of the session lookup's prepared statement on PostgreSQL connections. */
const FIND_SESSION_STATEMENT = "auth101_find_session";

/** The same query for the driver adapter, with the driver's own placeholder. */
function driverFindSessionSql(target: DatabaseTarget): string {
  return target.provider === "postgresql"
    ? `${findSessionSqlBeforeId(target.schema)}$1`
    : `${findSessionSqlBeforeId(undefined)}?`;
}

function toSessionWithUser(row: SessionJoinRow): SessionWithUser {
  const { id, user_id: userId, email } = row;
  if (typeof id !== "string" || typeof userId !== "string" || typeof email !== "string") {
    throw new Error("The session lookup returned a row without its id, user id or email");
  }
  return {
    session: { id, userId, createdAt: toDate(row.created_at), expiresAt: toDate(row.expires_at) },
    user: {
      id: userId,
      email,
      isActive: toBoolean(row.is_active, "is_active"),
      emailVerified: toBoolean(row.email_verified, "email_verified"),
    },
  };
}

/**
 * Raw rows carry the driver's types: a Date through the PrismaClient; through a driver adapter,
 * an ISO 8601 string with its offset (SQLite, PostgreSQL) or MySQL's `YYYY-MM-DD HH:MM:SS.fff`,
 * which Prisma writes and reads as UTC.
 */
function toDate(value: unknown): Date {
  const date =
    value instanceof Date
      ? value
      : typeof value === "string"
        ? new Date(MYSQL_DATETIME.test(value) ? `${value.replace(" ", "T")}Z` : value)
        : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new Error("The session lookup returned a time that is not a date");
  }
  return date;
}

const MYSQL_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** MySQL's BOOLEAN is TINYINT(1): some drivers answer 0/1 in raw queries. */
function toBoolean(value: unknown, column: string): boolean {
  if (typeof value === "boolean") return value;
  if (value === 1 || value === 1n) return true;
  if (value === 0 || value === 0n) return false;
  throw new Error(`The session lookup returned an ${column} that is not a boolean`);
}
