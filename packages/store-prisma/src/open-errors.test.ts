import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseConnectionError, PrismaUserStore, type OpenOptions } from "./index.js";
import { MARIADB_SERVER_URL, POSTGRES_SERVER_URL } from "./test-support/databases.js";
import { closedPort } from "./test-support/tcp-proxy.js";

/** Runs `open()`, expecting it to fail; answers the error and how long the failure took. */
async function failedOpen(url: string, options?: OpenOptions): Promise<{ error: DatabaseConnectionError; ms: number }> {
  const started = performance.now();
  const outcome: unknown = await PrismaUserStore.open(url, options).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (error: unknown) => error,
  );
  const ms = performance.now() - started;
  expect(outcome).toBeInstanceOf(DatabaseConnectionError);
  return { error: outcome as DatabaseConnectionError, ms };
}

/** Every `code` along the error's cause chain. */
function causeCodes(error: unknown): unknown[] {
  const codes: unknown[] = [];
  for (let current = (error as Error).cause; current instanceof Object; current = (current as Error).cause) {
    codes.push((current as { code?: unknown }).code);
  }
  return codes;
}

/** A server that accepts connections and never says a word: a database that hangs. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function withUrl(base: string, change: (url: URL) => void): string {
  const url = new URL(base);
  change(url);
  return url.toString();
}

const password = `pw-${randomUUID()}`;
let silent: Awaited<ReturnType<typeof silentServer>>;
beforeAll(async () => {
  silent = await silentServer();
});
afterAll(async () => {
  await silent.close();
});

describe.each([
  { name: "PostgreSQL", serverUrl: POSTGRES_SERVER_URL, label: "PostgreSQL", defaultPort: "5432" },
  { name: "MariaDB", serverUrl: MARIADB_SERVER_URL, label: "MySQL/MariaDB", defaultPort: "3306" },
])(
  "PrismaUserStore.open() failures on $name: one sentence, the cause, within 2 s",
  ({ serverUrl, label, defaultPort }) => {
    const server = new URL(serverUrl);
    const host = server.hostname;
    const port = server.port || defaultPort;

    it("a closed port: connection refused", async () => {
      const closed = await closedPort();
      const url = withUrl(serverUrl, (url) => {
        url.password = password;
        url.hostname = "127.0.0.1";
        url.port = String(closed);
      });
      const { error, ms } = await failedOpen(url);
      expect(error.message).toBe(
        `PrismaUserStore.open() could not connect to the ${label} database "test" at 127.0.0.1:${closed}: ` +
          "connection refused (is the server running and listening on that port?)",
      );
      expect(error.failure).toBe("connection-refused");
      expect(causeCodes(error)).toContain("ECONNREFUSED");
      expect(ms).toBeLessThan(2_000);
      for (const text of [error.message, error.stack, String(error.cause), JSON.stringify(error)]) {
        expect(text).not.toContain(password);
      }
    });

    it("a user the server does not know, or a wrong password: authentication failed", async () => {
      // PostgreSQL here trusts local connections, so an unknown role is what fails; MariaDB's
      // root has no password, so giving one fails.
      const user = label === "PostgreSQL" ? `nobody_${randomUUID().slice(0, 8)}` : server.username;
      const url = withUrl(serverUrl, (url) => {
        url.username = user;
        url.password = password;
      });
      const { error, ms } = await failedOpen(url);
      expect(error.message).toBe(
        `PrismaUserStore.open() could not connect to the ${label} database "test" at ${host}:${port}: ` +
          `authentication failed for user "${user}" (check the user name and password in the URL)`,
      );
      expect(error.failure).toBe("authentication-failed");
      // PostgreSQL: 28000 for an unknown role under trust, 28P01 where passwords are checked.
      expect(causeCodes(error)).toContainEqual(
        label === "PostgreSQL" ? expect.stringMatching(/^28(000|P01)$/) : "ER_ACCESS_DENIED_ERROR",
      );
      expect(ms).toBeLessThan(2_000);
      expect(`${error.message}${error.stack}${String(error.cause)}`).not.toContain(password);
    });

    it("a database that does not exist: unknown database", async () => {
      const name = `auth101_missing_${randomUUID().slice(0, 8)}`;
      const { error, ms } = await failedOpen(
        withUrl(serverUrl, (url) => {
          url.pathname = `/${name}`;
        }),
      );
      expect(error.message).toBe(
        `PrismaUserStore.open() could not connect to the ${label} database "${name}" at ${host}:${port}: ` +
          `the database "${name}" does not exist`,
      );
      expect(error.failure).toBe("unknown-database");
      expect(causeCodes(error)).toContainEqual(label === "PostgreSQL" ? "3D000" : "ER_BAD_DB_ERROR");
      expect(ms).toBeLessThan(2_000);
    });

    it("a server that accepts the connection and never answers: timed out after connectTimeoutMs", async () => {
      const url = withUrl(serverUrl, (url) => {
        url.hostname = "127.0.0.1";
        url.port = String(silent.port);
      });
      const { error, ms } = await failedOpen(url, { connectTimeoutMs: 500 });
      expect(error.message).toBe(
        `PrismaUserStore.open() could not connect to the ${label} database "test" at 127.0.0.1:${silent.port}: ` +
          "timed out after 500 ms (connectTimeoutMs)",
      );
      expect(error.failure).toBe("timed-out");
      expect(error.cause).toBeInstanceOf(Error);
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(2_000);
    });
  },
);

describe("PrismaUserStore.open() failures on SQLite", () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "auth101-open-errors-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("a file in a directory that does not exist", async () => {
    const missing = join(directory, "missing");
    const { error, ms } = await failedOpen(`file:${missing}/users.db`);
    expect(error.message).toBe(
      `PrismaUserStore.open() cannot open the SQLite database ${missing}/users.db: ` +
        `its directory ${missing} does not exist (ENOENT)`,
    );
    expect(error.failure).toBe("cannot-open-file");
    expect(causeCodes(error)).toEqual(["ENOENT"]);
    expect(ms).toBeLessThan(2_000);
  });

  it("a file where nothing may be written (sysfs refuses new files, even to root)", async () => {
    const path = `/sys/auth101-${randomUUID()}.db`;
    const { error, ms } = await failedOpen(`file:${path}`);
    expect(error.message).toBe(
      `PrismaUserStore.open() cannot open the SQLite database ${path}: the file cannot be created or written (EACCES)`,
    );
    expect(error.failure).toBe("cannot-open-file");
    expect(ms).toBeLessThan(2_000);
  });

  it("a directory given as the file", async () => {
    const { error } = await failedOpen(`file:${directory}`);
    expect(error.message).toBe(
      `PrismaUserStore.open() cannot open the SQLite database ${directory}: that path is a directory (EISDIR)`,
    );
  });
});

describe("PrismaUserStore.open() options", () => {
  it("refuses an option it does not know, as new Auth101() does", async () => {
    const misspelled = { connectTimeout: 500 } as OpenOptions;
    await expect(PrismaUserStore.open("file:./never-created.db", misspelled)).rejects.toThrow(
      new TypeError(
        'PrismaUserStore.open(): unknown option "connectTimeout". Known options: connectTimeoutMs, queryTimeoutMs',
      ),
    );
  });

  it("refuses options that are not an object", async () => {
    await expect(PrismaUserStore.open("file:./never-created.db", 500 as unknown as OpenOptions)).rejects.toThrow(
      new TypeError(
        "PrismaUserStore.open(url, options): options must be an object ({ connectTimeoutMs, queryTimeoutMs })",
      ),
    );
  });

  it("refuses a timeout that is not a positive number", async () => {
    await expect(
      PrismaUserStore.open("file:./never-created.db", { queryTimeoutMs: "5000" as unknown as number }),
    ).rejects.toThrow(
      new RangeError("PrismaUserStore.open(): queryTimeoutMs must be a positive number of milliseconds; got 5000"),
    );
  });
});
