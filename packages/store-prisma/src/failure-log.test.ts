import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Auth101 } from "@auth101/core";
import { PrismaUserStore } from "./index.js";
import {
  createMariaDbDatabase,
  createPostgresSchema,
  MARIADB_SERVER_URL,
  POSTGRES_SERVER_URL,
  type ThrowawayDatabase,
} from "./test-support/databases.js";
import { TcpProxy } from "./test-support/tcp-proxy.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.each([
  {
    name: "PostgreSQL",
    serverUrl: POSTGRES_SERVER_URL,
    createDatabase: createPostgresSchema,
    codes: "P1001, DatabaseNotReachable",
  },
  // The mariadb pool's ER_GET_CONNECTION_TIMEOUT, as Prisma passes it on.
  { name: "MariaDB", serverUrl: MARIADB_SERVER_URL, createDatabase: createMariaDbDatabase, codes: "45028" },
])("the core's default failure log, $name down", ({ serverUrl, createDatabase, codes }) => {
  it("names the driver's error code after the error's class, and no message text", async () => {
    const database: ThrowawayDatabase = await createDatabase();
    cleanups.push(() => database.drop());
    const server = new URL(serverUrl);
    const proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port) });
    cleanups.push(() => proxy.close());
    const store = await PrismaUserStore.open(database.urlThroughPort(proxy.port));
    cleanups.push(() => store.close());
    const auth = new Auth101({ secret: randomBytes(32).toString("base64url"), store, rateLimit: false });
    const email = `log-${randomUUID()}@example.com`;
    expect(await auth.signUp(email, "correct horse battery")).toHaveProperty("token");

    await proxy.refuse();
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      // Twice: on PostgreSQL the first query meets the pooled connection the outage cut, and
      // pg reports that with a bare Error (no code at all); the second meets the refusal.
      for (let attempt = 0; attempt < 2; attempt++) {
        expect(await auth.signIn(email, "correct horse battery")).toMatchObject({
          error: { code: "STORE_UNAVAILABLE" },
        });
      }
      const lines = log.mock.calls.map((call) => call.join(" "));
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(
        /^\[auth101\] signIn failed: STORE_UNAVAILABLE \(PrismaClientKnownRequestError: [\w, ]+\)$/,
      );
      expect(lines[1]).toContain(codes);
      expect(lines.join("\n")).not.toContain(email);
    } finally {
      log.mockRestore();
      await proxy.restore();
    }
  });
});
