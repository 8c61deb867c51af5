import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { PrismaClient } from "./generated/mysql/client.js";
import { MARIADB_SERVER_URL, createMariaDbDatabase } from "./test-support/databases.js";
import { describeProviderSuite } from "./test-support/provider-suite.js";

describeProviderSuite({
  name: "MariaDB",
  createDatabase: createMariaDbDatabase,
  // An app's client: a pool configured with an object rather than a URL.
  createAppClient: (database) => {
    const url = new URL(database.url);
    return new PrismaClient({
      adapter: new PrismaMariaDb({
        host: url.hostname,
        port: Number(url.port || 3306),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.slice(1),
        connectionLimit: 5,
      }),
    });
  },
  server: {
    port: Number(new URL(MARIADB_SERVER_URL).port || 3306),
    closedPortUrl: (port, password) => `mysql://root:${password}@127.0.0.1:${port}/test`,
    // The mariadb pool retries a refused connection until its acquire timeout (connectTimeoutMs,
    // 2 s by default) runs out; open() connects once through the driver first, which is refused at once.
    refusedWithinMs: 3_000,
    openRefusedWithinMs: 2_000,
    recoversWithinMs: 5_000,
    createCommitsWith: "COMMIT",
  },
});
