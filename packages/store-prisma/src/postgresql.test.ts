import { randomBytes, randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, describe, expect, it } from "vitest";
import { PrismaUserStore } from "./index.js";
import { PrismaClient } from "./generated/postgresql/client.js";
import { POSTGRES_SERVER_URL, createPostgresSchema } from "./test-support/databases.js";
import { describeProviderSuite } from "./test-support/provider-suite.js";

describeProviderSuite({
  name: "PostgreSQL",
  createDatabase: createPostgresSchema,
  // An app's client: its own adapter settings, the schema passed the Prisma 7 way.
  createAppClient: (database) =>
    new PrismaClient({
      adapter: new PrismaPg(
        { connectionString: POSTGRES_SERVER_URL, max: 5 },
        { schema: new URL(database.url).searchParams.get("schema") ?? "public" },
      ),
    }),
  server: {
    port: Number(new URL(POSTGRES_SERVER_URL).port || 5432),
    closedPortUrl: (port, password) => `postgresql://postgres:${password}@127.0.0.1:${port}/test`,
    refusedWithinMs: 1_000,
    openRefusedWithinMs: 1_000,
    recoversWithinMs: 5_000,
    createCommitsWith: "INSERT INTO",
  },
});

describe("PostgreSQL specifics", () => {
  const admin = new PrismaClient({ adapter: new PrismaPg({ connectionString: POSTGRES_SERVER_URL }) });
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await admin.$disconnect();
  });

  it("creates the schema named in ?schema= when it does not exist yet", async () => {
    const schema = `auth101_test_${randomBytes(6).toString("hex")}`;
    cleanups.push(() => admin.$executeRawUnsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    const url = new URL(POSTGRES_SERVER_URL);
    url.searchParams.set("schema", schema);
    const store = await PrismaUserStore.open(url.toString());
    cleanups.push(() => store.close());
    const user = await store.create({ email: `a-${randomUUID()}@example.com`, passwordHash: "$argon2id$x" });
    const rows = await admin.$queryRawUnsafe(`SELECT email FROM "${schema}"."auth_users"`);
    expect(rows).toEqual([{ email: user.email }]);
  });

  it("opens a migrated database as a user who may only read and write rows (no DDL)", async () => {
    const database = await createPostgresSchema();
    cleanups.push(() => database.drop());
    await database.applyShippedMigrations();
    const schema = new URL(database.url).searchParams.get("schema") ?? "";
    const role = `auth101_test_app_${randomBytes(6).toString("hex")}`;
    await admin.$executeRawUnsafe(`CREATE ROLE "${role}" LOGIN`);
    cleanups.push(async () => {
      await admin.$executeRawUnsafe(`DROP OWNED BY "${role}"`);
      await admin.$executeRawUnsafe(`DROP ROLE "${role}"`);
    });
    await admin.$executeRawUnsafe(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`);
    await admin.$executeRawUnsafe(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON "${schema}"."auth_users", "${schema}"."auth_sessions" TO "${role}"`,
    );
    const url = new URL(database.url);
    url.username = role;
    const store = await PrismaUserStore.open(url.toString());
    cleanups.push(() => store.close());
    const user = await store.create({ email: `a-${randomUUID()}@example.com`, passwordHash: "$argon2id$x" });
    expect(await store.findById(user.id)).toEqual(user);
    const session = { id: randomUUID(), userId: user.id, createdAt: new Date(), expiresAt: new Date() };
    await store.createSession(session);
    expect(await store.findSession(session.id)).toEqual({ session, user });
  });
});
