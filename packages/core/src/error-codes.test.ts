import { connect, createServer } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { Auth101 } from "./auth101.js";
import { errorCodes } from "./error-codes.js";
import { MemoryStore } from "./memory-store.js";
import type { UserStore } from "./user-store.js";

const SECRET = "0123456789abcdef0123456789abcdef-error-codes";

/** A real ECONNREFUSED from the operating system: connect to a port nothing listens on. */
async function refusedConnectionError(): Promise<Error> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return new Promise((resolve) => {
    connect(port, "127.0.0.1").on("error", resolve);
  });
}

/** The shape Prisma 7 gives a failed query through a driver adapter (PrismaClientKnownRequestError). */
class PrismaLikeError extends Error {
  override readonly name = "PrismaClientKnownRequestError";
  readonly code = "P2010";
  readonly meta = {
    driverAdapterError: Object.assign(new Error("DatabaseAccessDenied"), {
      name: "DriverAdapterError",
      cause: {
        kind: "AuthenticationFailed",
        originalCode: "28P01",
        originalMessage: 'password failed for "ada@example.com"',
      },
    }),
  };
}

function storeFailingWith(error: unknown): UserStore {
  return new Proxy(new MemoryStore(), {
    get(target, name) {
      if (name === "findByEmail") return () => Promise.reject(error);
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function defaultLogLineFor(error: unknown): Promise<string> {
  const log = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    const auth = new Auth101({ secret: SECRET, store: storeFailingWith(error), rateLimit: false });
    await auth.signIn("ada@example.com", "correct horse battery");
    expect(log).toHaveBeenCalledTimes(1);
    return String(log.mock.calls[0]?.[0]);
  } finally {
    log.mockRestore();
  }
}

describe("the default failure log names the driver's error codes, never a message", () => {
  it("a refused connection wrapped by a store: the class, then ECONNREFUSED from the cause", async () => {
    const refused = await refusedConnectionError();
    const wrapped = new Error("query SELECT * FROM users WHERE email = 'ada@example.com' failed", { cause: refused });
    const line = await defaultLogLineFor(wrapped);
    expect(line).toBe("[auth101] signIn failed: STORE_UNAVAILABLE (Error: ECONNREFUSED)");
  });

  it("Prisma's driver adapter error: its code, the adapter's kind and the server's code", async () => {
    const line = await defaultLogLineFor(new PrismaLikeError("Invalid `prisma.auth101User.findUnique()` invocation"));
    expect(line).toBe(
      "[auth101] signIn failed: STORE_UNAVAILABLE (PrismaClientKnownRequestError: P2010, AuthenticationFailed, 28P01)",
    );
    expect(line).not.toContain("ada@example.com");
  });

  it("an error without codes: the class alone, as before", async () => {
    expect(await defaultLogLineFor(new TypeError("ada@example.com"))).toBe(
      "[auth101] signIn failed: STORE_UNAVAILABLE (TypeError)",
    );
  });
});

describe("errorCodes", () => {
  it("walks AggregateError members and numeric codes (the mariadb pool's 45028)", async () => {
    const refused = await refusedConnectionError();
    const pool = { kind: "mysql", code: 45028, cause: "connect ECONNREFUSED 127.0.0.1:3306" };
    expect(errorCodes(new AggregateError([refused, { cause: pool }]))).toEqual(["ECONNREFUSED", "45028", "mysql"]);
  });

  it("prints nothing that is not an identifier, and survives a cycle", () => {
    const looped: { code: string; cause?: unknown } = { code: "ada@example.com" };
    looped.cause = { code: "SELECT 1; DROP TABLE users", cause: looped };
    expect(errorCodes(looped)).toEqual([]);
  });

  it("keeps at most four codes", () => {
    let error: unknown = { code: "E5" };
    for (const code of ["E4", "E3", "E2", "E1"]) error = { code, cause: error };
    expect(errorCodes(error)).toEqual(["E1", "E2", "E3", "E4"]);
  });
});
