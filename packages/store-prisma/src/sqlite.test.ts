import { randomUUID } from "node:crypto";
import { createClient } from "@libsql/client";
import { PrismaLibSql } from "@prisma/adapter-libsql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaUserStore } from "./index.js";
import { PrismaClient } from "./test-support/generated/app-client/client.js";
import { createSqliteFile, type ThrowawayDatabase } from "./test-support/databases.js";
import { describeProviderSuite } from "./test-support/provider-suite.js";

describeProviderSuite({
  name: "SQLite",
  createDatabase: createSqliteFile,
  // The stand-in for an app's own generated client: more models, its own output directory.
  createAppClient: (database) => new PrismaClient({ adapter: new PrismaLibSql({ url: database.url }) }),
});

describe("SQLite when the file is busy or unusable", () => {
  let database: ThrowawayDatabase;
  beforeAll(async () => {
    database = await createSqliteFile();
  });
  afterAll(async () => {
    await database.drop();
  });

  it("waits at most the query timeout for another writer's lock, then works again", async () => {
    const store = await PrismaUserStore.open(database.url, { queryTimeoutMs: 500 });
    const other = createClient({ url: database.url });
    try {
      const user = await store.create({ email: `a-${randomUUID()}@example.com`, passwordHash: "$argon2id$x" });
      const lock = await other.transaction("write");
      const started = performance.now();
      await expect(
        store.create({ email: `b-${randomUUID()}@example.com`, passwordHash: "$argon2id$x" }),
      ).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(2_000);
      await lock.rollback();
      expect(await store.findById(user.id)).toEqual(user);
      expect(
        await store.create({ email: `c-${randomUUID()}@example.com`, passwordHash: "$argon2id$x" }),
      ).toHaveProperty("id");
    } finally {
      other.close();
      await store.close();
    }
  });

  it("enforces the foreign key on every connection, also after a transaction replaced it", async () => {
    // @libsql/client opens a fresh connection after each transaction; SQLite enforces foreign
    // keys per connection, and libsql turns them on for each one.
    const migrated = await createSqliteFile();
    await migrated.applyShippedMigrations();
    const client = new PrismaClient({ adapter: new PrismaLibSql({ url: migrated.url }) });
    try {
      const store = new PrismaUserStore(client);
      for (let round = 0; round < 2; round++) {
        await client.$transaction(async (transaction) => transaction.auth101User.count());
        const foreignKeys = (await client.$queryRawUnsafe("PRAGMA foreign_keys")) as { foreign_keys: unknown }[];
        expect(Number(foreignKeys[0]?.foreign_keys)).toBe(1);
        const user = await store.create({ email: `fk-${randomUUID()}@example.com`, passwordHash: "$argon2id$x" });
        const session = { id: randomUUID(), userId: user.id, createdAt: new Date(), expiresAt: new Date() };
        await store.createSession(session);
        await expect(store.createSession({ ...session, id: randomUUID(), userId: randomUUID() })).rejects.toThrow();
        await store.deleteUser(user.id);
        expect(await store.findSession(session.id)).toBeNull();
        expect(await client.auth101Session.count({ where: { userId: user.id } })).toBe(0);
      }
    } finally {
      await client.$disconnect();
      await migrated.drop();
    }
  });

  it("open() rejects at once when the file cannot be created", async () => {
    const started = performance.now();
    await expect(PrismaUserStore.open(`file:/nonexistent-${randomUUID()}/users.db`)).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
