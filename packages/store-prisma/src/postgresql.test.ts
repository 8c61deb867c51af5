import { PrismaPg } from "@prisma/adapter-pg";
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
  },
});
