import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Auth101, type AuthFailureEvent, MemoryStore } from "@auth101/core";
import { describeHttpConformance, describeUserStoreContract, startReferenceServer } from "@auth101/testing";
import {
  PrismaUserStore,
  type Auth101PrismaClient,
  type OpenedPrismaUserStore,
  type OpenOptions,
  type PrismaUserStoreOptions,
} from "../index.js";
import type { ThrowawayDatabase } from "./databases.js";
import { TcpProxy, closedPort } from "./tcp-proxy.js";

export interface AppClient extends Auth101PrismaClient {
  $disconnect(): Promise<void>;
}

export interface ProviderSuiteOptions {
  /** "PostgreSQL", ... */
  readonly name: string;
  readonly createDatabase: () => Promise<ThrowawayDatabase>;
  /** The client an app would build from its own schema, on a database the app migrated. */
  readonly createAppClient: (database: ThrowawayDatabase) => AppClient;
  /** The real server behind the proxy in the outage tests; none for SQLite. */
  readonly server?: {
    readonly port: number;
    /** A URL for a closed port, with a password in it that must never show up anywhere. */
    readonly closedPortUrl: (port: number, password: string) => string;
    /** How long a query may take to fail against a refused port with default settings. */
    readonly refusedWithinMs: number;
    /** The same for `open()`, which also makes the driver adapter's first connection. */
    readonly openRefusedWithinMs: number;
    /** How soon a store works again after the server hung and came back (driver reconnect backoff). */
    readonly recoversWithinMs: number;
    /**
     * Text in the request after which `create()`'s row is committed: the INSERT itself where
     * it autocommits, else the COMMIT of the transaction around it.
     */
    readonly createCommitsWith: string;
  };
}

const HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
const email = (): string => `user-${randomUUID()}@example.com`;

/** Retries `attempt` until it succeeds or `withinMs` has passed, then rethrows its last error. */
async function eventually<Result>(attempt: () => Promise<Result>, withinMs: number): Promise<Result> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** What every database gets: the core's contract both ways in, `open()`'s promises, outages. */
export function describeProviderSuite(options: ProviderSuiteOptions): void {
  const cleanups: (() => Promise<void>)[] = [];
  const later = (cleanup: () => Promise<void>): void => {
    cleanups.unshift(cleanup);
  };
  const freshDatabase = async (): Promise<ThrowawayDatabase> => {
    const database = await options.createDatabase();
    later(() => database.drop());
    return database;
  };
  const openStore = async (url: string, openOptions?: OpenOptions): Promise<OpenedPrismaUserStore> => {
    const store = await PrismaUserStore.open(url, openOptions);
    later(() => store.close());
    return store;
  };
  /** What an app passes beside its client: on PostgreSQL, the schema it gave PrismaPg. */
  const appStoreOptions = (database: ThrowawayDatabase): PrismaUserStoreOptions => {
    const schema = database.provider === "postgresql" ? new URL(database.url).searchParams.get("schema") : null;
    return schema === null ? {} : { schema };
  };
  const appStore = async (): Promise<PrismaUserStore> => {
    const database = await freshDatabase();
    await database.applyShippedMigrations();
    const client = options.createAppClient(database);
    later(() => client.$disconnect());
    return new PrismaUserStore(client, appStoreOptions(database));
  };
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  describe(options.name, () => {
    describeUserStoreContract(`PrismaUserStore.open() on ${options.name}`, async () =>
      openStore((await freshDatabase()).url),
    );

    describeUserStoreContract(`new PrismaUserStore(app's own PrismaClient) on ${options.name}`, appStore);

    // The whole HTTP contract with users and sessions in this database, not in memory.
    describeHttpConformance(`PrismaUserStore.open() on ${options.name}`, startReferenceServer, {
      prefixes: ["/auth"],
      createStore: async () => openStore((await freshDatabase()).url),
    });

    describe("open()", () => {
      it("creates the same tables, column for column, as the shipped migrations", async () => {
        const migrated = await freshDatabase();
        await migrated.applyShippedMigrations();
        const opened = await freshDatabase();
        await (await openStore(opened.url)).close();
        const expected = await migrated.describeTables();
        const described = JSON.stringify(expected, (_key, value: unknown) =>
          typeof value === "bigint" ? Number(value) : value,
        );
        for (const name of [
          "auth_users_email_key",
          "auth_sessions_user_id_idx",
          "auth_sessions_expires_at_idx",
          "auth_one_time_tokens_user_id_purpose_idx",
          "email_verified",
        ]) {
          expect(described).toContain(name);
        }
        expect(described).toMatch(/CASCADE/i);
        expect(await opened.describeTables()).toEqual(expected);
      });

      it("upgrades a database made by the first release in place: its users sign in, sessions work", async () => {
        const database = await freshDatabase();
        await database.applyShippedMigrations("first release");
        // A user signed up under the first release: a real Argon2 hash in a row written by it.
        const secret = randomBytes(32).toString("base64url");
        const memory = new MemoryStore();
        const password = "correct horse battery";
        const address = email();
        await new Auth101({ secret, store: memory, rateLimit: false }).signUp(address, password);
        const hash = (await memory.findByEmail(address))?.passwordHash ?? "";
        const id = randomUUID();
        const placeholders = database.provider === "postgresql" ? "$1, $2, $3, $4, $5" : "?, ?, ?, ?, ?";
        await database.execute(
          `INSERT INTO auth_users (id, email, password_hash, is_active, updated_at) VALUES (${placeholders})`,
          id,
          address,
          hash,
          true,
          new Date(),
        );

        const stores = await Promise.all([openStore(database.url), openStore(database.url)]);
        const store = stores[0]!;
        const migrated = await freshDatabase();
        await migrated.applyShippedMigrations();
        expect(await database.describeTables()).toEqual(await migrated.describeTables());

        const auth = new Auth101({ secret, store, rateLimit: false });
        const signedIn = await auth.signIn(address, password);
        expect(signedIn).toMatchObject({ user: { id, email: address, is_active: true } });
        if (!("token" in signedIn)) throw new Error("sign-in failed");
        expect(await auth.verifyToken(signedIn.token)).toEqual({
          id,
          email: address,
          isActive: true,
          emailVerified: false,
        });

        const session = {
          id: randomUUID(),
          userId: id,
          createdAt: new Date(),
          expiresAt: new Date(Date.now() + 60_000),
        };
        await store.createSession(session);
        expect(await stores[1]!.findSession(session.id)).toEqual({
          session,
          user: { id, email: address, isActive: true, emailVerified: false },
        });
        // One-time tokens and the verified flag work on the upgraded database, and go with the user.
        const token = {
          tokenHash: "0".repeat(64),
          purpose: "password-reset" as const,
          userId: id,
          email: address,
          expiresAt: new Date(Date.now() + 60_000),
        };
        await store.replaceOneTimeToken(token);
        expect(await stores[1]!.markEmailVerified(id, address)).toBe(true);
        expect((await stores[1]!.findById(id))?.emailVerified).toBe(true);
        await store.replaceOneTimeToken({ ...token, tokenHash: "1".repeat(64), purpose: "email-verification" });
        await store.deleteUser(id);
        expect(await stores[1]!.findSession(session.id)).toBeNull();
        expect(await store.consumeOneTimeToken(token.tokenHash, "password-reset")).toBeNull();
        expect(await store.consumeOneTimeToken("1".repeat(64), "email-verification")).toBeNull();
      });

      it("uses tables made by the shipped migrations, and keeps its users across opens", async () => {
        const database = await freshDatabase();
        await database.applyShippedMigrations();
        const first = await openStore(database.url);
        const user = await first.create({ email: email(), passwordHash: HASH });
        await first.close();
        const second = await openStore(database.url);
        expect(await second.findByEmail(user.email)).toEqual({ ...user, passwordHash: HASH });
      });

      it("answers like the client after close(): the client reconnects on its next query", async () => {
        const database = await freshDatabase();
        const store = await openStore(database.url);
        const user = await store.create({ email: email(), passwordHash: HASH });
        const session = {
          id: randomUUID(),
          userId: user.id,
          createdAt: new Date(),
          expiresAt: new Date(Date.now() + 60_000),
        };
        await store.createSession(session);
        await store.close();
        expect(await store.findSession(session.id)).toEqual({ session, user });
        await store.close();
      });

      it("lets several processes open an empty database at once", async () => {
        const database = await freshDatabase();
        const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(database.url)));
        const user = await stores[0]!.create({ email: email(), passwordHash: HASH });
        for (const store of stores) expect(await store.findById(user.id)).toEqual(user);
        const duplicate = stores[3]!.create({ email: user.email, passwordHash: HASH });
        await expect(duplicate).rejects.toMatchObject({ name: "EmailTakenError" });
      });

      it("keeps working after its connections sat idle longer than the query timeout", async () => {
        const store = await openStore((await freshDatabase()).url, { queryTimeoutMs: 300 });
        const user = await store.create({ email: email(), passwordHash: HASH });
        await new Promise((resolve) => setTimeout(resolve, 800));
        expect(await store.findById(user.id)).toEqual(user);
      });

      it("closes idempotently", async () => {
        const store = await openStore((await freshDatabase()).url);
        await store.close();
        await store.close();
      });
    });

    it("turns a taken email into USER_EXISTS in the core", async () => {
      const store = await openStore((await freshDatabase()).url);
      const auth = new Auth101({ secret: randomBytes(32).toString("base64url"), store, rateLimit: false });
      const address = email();
      expect(await auth.signUp(address, "correct horse battery")).toHaveProperty("token");
      expect(await auth.signUp(address, "another long password")).toMatchObject({ error: { code: "USER_EXISTS" } });
    });

    const server = options.server;
    if (server === undefined) return;

    describe("when the database server fails", () => {
      let proxy: TcpProxy;
      beforeAll(async () => {
        proxy = await TcpProxy.start({ host: "127.0.0.1", port: server.port });
        later(() => proxy.close());
      });
      afterEach(async () => {
        await proxy.restore();
      });

      it("answers STORE_UNAVAILABLE fast while it is down, writes nothing, and recovers on the same instance", async () => {
        const database = await freshDatabase();
        const store = await openStore(database.urlThroughPort(proxy.port));
        const failures: AuthFailureEvent[] = [];
        const auth = new Auth101({
          secret: randomBytes(32).toString("base64url"),
          store,
          rateLimit: false,
          onFailure: (event) => failures.push(event),
        });
        const before = await auth.signUp(email(), "correct horse battery");
        expect(before).toHaveProperty("token");

        await proxy.refuse();
        const address = email();
        const started = performance.now();
        const during = await auth.signUp(address, "correct horse battery");
        const elapsed = performance.now() - started;
        expect(during).toMatchObject({ error: { code: "STORE_UNAVAILABLE" } });
        expect(elapsed).toBeLessThan(server.refusedWithinMs);
        await expect(store.findByEmail(address)).rejects.toThrow();
        expect(failures.map((failure) => failure.code)).toContain("STORE_UNAVAILABLE");

        await proxy.restore();
        expect(await store.findByEmail(address)).toBeNull();
        expect(await auth.signUp(address, "correct horse battery")).toHaveProperty("token");
      });

      it("never says nothing changed when a sign-up's reply is lost after the commit: stall, then reset", async () => {
        const database = await freshDatabase();
        const store = await openStore(database.urlThroughPort(proxy.port));
        const direct = await openStore(database.url);
        const auth = new Auth101({
          secret: randomBytes(32).toString("base64url"),
          store,
          rateLimit: false,
          onFailure: () => {},
        });
        const address = email();
        const password = "correct horse battery";

        proxy.stallRepliesAfter(server.createCommitsWith);
        const signingUp = auth.signUp(address, password);
        // The row is committed (seen on a connection of its own) while the reply is held back...
        const row = await eventually(async () => {
          const found = await direct.findByEmail(address);
          if (found === null) throw new Error("not committed yet");
          return found;
        }, 10_000);
        // ...then the connection resets before the reply arrives.
        proxy.resetConnections();
        const answer = await signingUp;
        expect(answer).toMatchObject({ error: { code: "STORE_UNAVAILABLE" } });
        const message = "error" in answer ? answer.error.message : "";
        expect(message).not.toContain("nothing was changed");
        expect(message).toContain("Sign in with the same email and password");

        await proxy.restore();
        // Doing what the message says works; a retried sign-up is a duplicate.
        const signedIn = await eventually(async () => {
          const result = await auth.signIn(address, password);
          if ("error" in result) throw new Error(result.error.code);
          return result;
        }, server.recoversWithinMs);
        expect(signedIn.user.id).toBe(row.id);
        expect(await auth.signUp(address, password)).toMatchObject({ error: { code: "USER_EXISTS" } });
      });

      it("fails within the timeouts when the server stops answering, then recovers", async () => {
        const database = await freshDatabase();
        const store = await openStore(database.urlThroughPort(proxy.port), {
          connectTimeoutMs: 500,
          queryTimeoutMs: 1_000,
        });
        const user = await store.create({ email: email(), passwordHash: HASH });

        proxy.blackhole();
        for (const attempt of [
          () => store.findById(user.id),
          () => store.create({ email: email(), passwordHash: HASH }),
        ]) {
          const started = performance.now();
          await expect(attempt()).rejects.toThrow();
          expect(performance.now() - started).toBeLessThan(3_000);
        }

        await proxy.restore();
        expect(await eventually(() => store.findById(user.id), server.recoversWithinMs)).toEqual(user);
      });
    });

    it("open() rejects fast on a closed port, without the password in the error or the logs", async () => {
      const password = `pw-${randomUUID()}`;
      const url = server.closedPortUrl(await closedPort(), password);
      const logged: unknown[] = [];
      const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
        vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(...args)),
      );
      try {
        const started = performance.now();
        const error: unknown = await PrismaUserStore.open(url).then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(performance.now() - started).toBeLessThan(server.openRefusedWithinMs);
        expect(error).toBeInstanceOf(Error);
        const seen = [
          String(error),
          (error as Error).stack,
          JSON.stringify(error),
          String((error as Error).cause),
          ...logged.map(String),
        ];
        for (const text of seen) expect(text).not.toContain(password);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    });
  });
}
