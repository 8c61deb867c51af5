import { randomUUID } from "node:crypto";
import type { NewUser, StoredUser, User, UserStore } from "@auth101/core";
import { EmailTakenError } from "@auth101/core";
import { type OwnedPrismaClient, openOwnedClient } from "./connect.js";
import { parseDatabaseUrl } from "./database-url.js";
import { type OpenOptions, resolveOpenOptions } from "./open-options.js";
import { isUniqueViolation } from "./unique-violation.js";

const USER_COLUMNS = { id: true, email: true, isActive: true } as const;
const STORED_USER_COLUMNS = { id: true, email: true, isActive: true, passwordHash: true } as const;

interface UserRow {
  id: string;
  email: string;
  isActive: boolean;
  /** Present when selected. */
  passwordHash?: string;
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
    select: { id: true; email: true; isActive: true; passwordHash?: true };
  }): PromiseLike<UserRow | null>;
  create(args: {
    data: { id: string; email: string; passwordHash: string; isActive: boolean };
    select: { id: true; email: true; isActive: true };
  }): PromiseLike<UserRow>;
  updateMany(args: { where: { id: string }; data: { passwordHash: string } }): PromiseLike<{ count: number }>;
}

/** A PrismaClient with the auth101 model, as `new PrismaUserStore(prisma)` takes it. */
export interface Auth101PrismaClient {
  readonly auth101User: Auth101UserDelegate;
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
 *   adapter, creates the `auth_users` table if it is missing, and returns a store to `close()`.
 *
 * Emails arrive normalized by the core and are stored and looked up exactly as given, through
 * the unique index. A duplicate email is refused by that index (never a read before the
 * write) and surfaces as `EmailTakenError`; every other database error propagates unchanged,
 * and the core answers STORE_UNAVAILABLE.
 */
export class PrismaUserStore implements UserStore {
  readonly #users: Auth101UserDelegate;

  constructor(prisma: Auth101PrismaClient) {
    const users = (prisma as Partial<Auth101PrismaClient> | null | undefined)?.auth101User;
    if (typeof users?.findUnique !== "function") {
      throw new TypeError(
        "PrismaUserStore needs a PrismaClient whose schema has the auth101 model (`model Auth101User`, " +
          "mapped to the auth_users table); `prisma.auth101User` is missing. See the @auth101/store-prisma README.",
      );
    }
    this.#users = users;
  }

  /**
   * Connects to `databaseUrl` (postgresql:// or postgres://, mysql:// or mariadb://, file:),
   * creates the `auth_users` table and its unique email index if they are missing, and
   * returns a ready store. Safe to call from several processes at once.
   *
   * A database it cannot reach or use rejects with a `DatabaseConnectionError` whose message
   * names the database (never the password) and the cause; an unknown option, with a TypeError.
   */
  static async open(databaseUrl: string, options?: OpenOptions): Promise<OpenedPrismaUserStore> {
    const target = parseDatabaseUrl(databaseUrl);
    const timeouts = resolveOpenOptions(options);
    return new OwnedPrismaUserStore(await openOwnedClient(target, timeouts));
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
}

class OwnedPrismaUserStore extends PrismaUserStore {
  readonly #client: OwnedPrismaClient;
  #closing: Promise<void> | undefined;

  constructor(client: OwnedPrismaClient) {
    super(client);
    this.#client = client;
  }

  close(): Promise<void> {
    this.#closing ??= this.#client.$disconnect();
    return this.#closing;
  }
}

/** Copies exactly the public fields, so nothing else a client extension adds can leak. */
function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, isActive: row.isActive };
}
