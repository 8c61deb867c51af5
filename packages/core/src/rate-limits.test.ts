import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Auth101 } from "./auth101.js";
import { HashWorkerPool } from "./hash-worker-pool.js";
import { MemoryStore } from "./memory-store.js";
import type { RateLimitOptions } from "./rate-limits.js";

const hashTasks = vi.spyOn(HashWorkerPool.prototype, "run");

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const PASSWORD = "correct horse battery";
const ALICE = "alice@example.com";

function makeAuth(rateLimit: RateLimitOptions = {}, store = new MemoryStore()): Auth101 {
  return new Auth101({ secret: SECRET, store, rateLimit, onFailure: () => {} });
}
const codeOf = (result: object): string | undefined =>
  "error" in result ? (result as { error: { code: string } }).error.code : undefined;

describe("sign-in throttling (memory counters, fake clock)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date("2026-06-01T00:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("throttles an account after 10 failed attempts for the rest of the 15-minute window, with Retry-After", async () => {
    const auth = makeAuth();
    await auth.signUp(ALICE, PASSWORD);
    for (let i = 0; i < 10; i++) expect(codeOf(await auth.signIn(ALICE, "wrong password"))).toBe("INVALID_CREDENTIALS");

    vi.advanceTimersByTime(5 * 60 * 1000);
    const throttled = await auth.signIn(ALICE, PASSWORD);
    expect(throttled).toEqual({
      error: { message: "Too many attempts; try again in 600 seconds", code: "RATE_LIMITED" },
      retryAfterSeconds: 600,
    });

    vi.advanceTimersByTime(10 * 60 * 1000);
    expect(await auth.signIn(ALICE, PASSWORD)).toHaveProperty("token");
  });

  it("does no password hashing for a throttled attempt", async () => {
    const auth = makeAuth({ signInPerAccount: { attempts: 2, windowSeconds: 60 } });
    await auth.signIn(ALICE, "wrong password");
    await auth.signIn(ALICE, "wrong password");
    hashTasks.mockClear();
    expect(codeOf(await auth.signIn(ALICE, PASSWORD))).toBe("RATE_LIMITED");
    expect(hashTasks).not.toHaveBeenCalled();
  });

  it("throttles an unknown email exactly like a known one", async () => {
    const auth = makeAuth({ signInPerAccount: { attempts: 3, windowSeconds: 60 } });
    await auth.signUp(ALICE, PASSWORD);
    const known: unknown[] = [];
    const unknown: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await auth.signIn(ALICE, "wrong password"));
      unknown.push(await auth.signIn("nobody@example.com", "wrong password"));
    }
    expect(unknown).toEqual(known);
    expect(known.map((result) => codeOf(result as object))).toEqual([
      "INVALID_CREDENTIALS",
      "INVALID_CREDENTIALS",
      "INVALID_CREDENTIALS",
      "RATE_LIMITED",
      "RATE_LIMITED",
    ]);
  });

  it("counts an account under its normalized email", async () => {
    const auth = makeAuth({ signInPerAccount: { attempts: 2, windowSeconds: 60 } });
    await auth.signIn("Alice@Example.com", "wrong password");
    await auth.signIn("  ALICE@example.com", "wrong password");
    expect(codeOf(await auth.signIn(ALICE, PASSWORD))).toBe("RATE_LIMITED");
  });

  it("resets an account's counter on a successful sign-in", async () => {
    const auth = makeAuth({ signInPerAccount: { attempts: 3, windowSeconds: 60 } });
    await auth.signUp(ALICE, PASSWORD);
    await auth.signIn(ALICE, "wrong password");
    await auth.signIn(ALICE, "wrong password");
    expect(await auth.signIn(ALICE, PASSWORD)).toHaveProperty("token");
    await auth.signIn(ALICE, "wrong password");
    await auth.signIn(ALICE, "wrong password");
    expect(await auth.signIn(ALICE, PASSWORD)).toHaveProperty("token");
  });

  it("counts parallel guesses before any of them is checked", async () => {
    const auth = makeAuth({ signInPerAccount: { attempts: 5, windowSeconds: 60 } });
    await auth.signUp(ALICE, PASSWORD);
    hashTasks.mockClear();
    const results = await Promise.all(Array.from({ length: 20 }, () => auth.signIn(ALICE, "wrong password")));
    expect(results.filter((result) => codeOf(result) === "RATE_LIMITED")).toHaveLength(15);
    expect(hashTasks.mock.calls.filter(([task]) => task.kind === "argon2-verify")).toHaveLength(5);
  });

  it("throttles failed sign-ins per client address across accounts", async () => {
    const auth = makeAuth({ signInPerAddress: { attempts: 5, windowSeconds: 60 } });
    for (let i = 0; i < 5; i++) {
      expect(
        codeOf(await auth.signIn(`user${i}@example.com`, "wrong password", { clientAddress: "203.0.113.7" })),
      ).toBe("INVALID_CREDENTIALS");
    }
    expect(codeOf(await auth.signIn("user9@example.com", "wrong password", { clientAddress: "203.0.113.7" }))).toBe(
      "RATE_LIMITED",
    );
    expect(codeOf(await auth.signIn("user9@example.com", "wrong password", { clientAddress: "198.51.100.1" }))).toBe(
      "INVALID_CREDENTIALS",
    );
  });

  it("does not count successful sign-ins against an address, so many users behind one proxy get in", async () => {
    const auth = makeAuth({ signInPerAddress: { attempts: 3, windowSeconds: 60 } });
    for (let i = 0; i < 6; i++) await auth.signUp(`user${i}@example.com`, PASSWORD);
    for (let i = 0; i < 6; i++) {
      expect(await auth.signIn(`user${i}@example.com`, PASSWORD, { clientAddress: "10.0.0.1" })).toHaveProperty(
        "token",
      );
    }
  });

  it("limits sign-ups per client address", async () => {
    const auth = makeAuth({ signUpPerAddress: { attempts: 2, windowSeconds: 3600 } });
    expect(await auth.signUp("a@example.com", PASSWORD, { clientAddress: "203.0.113.9" })).toHaveProperty("token");
    expect(await auth.signUp("b@example.com", PASSWORD, { clientAddress: "203.0.113.9" })).toHaveProperty("token");
    expect(await auth.signUp("c@example.com", PASSWORD, { clientAddress: "203.0.113.9" })).toEqual({
      error: { message: "Too many attempts; try again in 3600 seconds", code: "RATE_LIMITED" },
      retryAfterSeconds: 3600,
    });
    expect(await auth.signUp("c@example.com", PASSWORD, { clientAddress: "203.0.113.10" })).toHaveProperty("token");
  });

  it("counts IPv6 clients per /64, and IPv4-mapped IPv6 as the IPv4 address", async () => {
    const auth = makeAuth({ signInPerAddress: { attempts: 3, windowSeconds: 60 } });
    const signIn = (clientAddress: string) =>
      auth.signIn(`user-${clientAddress}@example.com`, "wrong password", { clientAddress }).then(codeOf);
    for (const address of ["2001:db8:7:8::1", "2001:db8:7:8::2", "2001:db8:7:8:a:b:c:d"]) {
      expect(await signIn(address)).toBe("INVALID_CREDENTIALS");
    }
    expect(await signIn("2001:db8:7:8:ffff::9")).toBe("RATE_LIMITED");
    expect(await signIn("2001:db8:7:9::1")).toBe("INVALID_CREDENTIALS");

    for (const address of ["203.0.113.50", "::ffff:203.0.113.50", "203.0.113.50"]) {
      expect(await signIn(address)).toBe("INVALID_CREDENTIALS");
    }
    expect(await signIn("::ffff:203.0.113.50")).toBe("RATE_LIMITED");
  });

  it("limits sign-ups per IPv6 /64, or per configured prefix", async () => {
    const per64 = makeAuth({ signUpPerAddress: { attempts: 1, windowSeconds: 3600 } });
    expect(await per64.signUp("v6-a@example.com", PASSWORD, { clientAddress: "2001:db8::a" })).toHaveProperty("token");
    expect(codeOf(await per64.signUp("v6-b@example.com", PASSWORD, { clientAddress: "2001:db8::b" }))).toBe(
      "RATE_LIMITED",
    );
    const per128 = makeAuth({ signUpPerAddress: { attempts: 1, windowSeconds: 3600 }, ipv6PrefixLength: 128 });
    expect(await per128.signUp("v6-a@example.com", PASSWORD, { clientAddress: "2001:db8::a" })).toHaveProperty("token");
    expect(await per128.signUp("v6-b@example.com", PASSWORD, { clientAddress: "2001:db8::b" })).toHaveProperty("token");
  });

  it("counts a sign-in from a throttled address against no account", async () => {
    const auth = makeAuth({
      signInPerAddress: { attempts: 2, windowSeconds: 60 },
      signInPerAccount: { attempts: 2, windowSeconds: 60 },
    });
    await auth.signUp(ALICE, PASSWORD);
    const attacker = { clientAddress: "198.51.100.66" };
    await auth.signIn("x@example.com", "wrong password", attacker);
    await auth.signIn("y@example.com", "wrong password", attacker);
    for (let i = 0; i < 5; i++)
      expect(codeOf(await auth.signIn(ALICE, "wrong password", attacker))).toBe("RATE_LIMITED");
    // Alice's own counter was never touched by the throttled attempts.
    expect(await auth.signIn(ALICE, PASSWORD, { clientAddress: "192.0.2.1" })).toHaveProperty("token");
  });

  it("can be turned off", async () => {
    const auth = new Auth101({ secret: SECRET, rateLimit: false });
    for (let i = 0; i < 12; i++) expect(codeOf(await auth.signIn(ALICE, "wrong password"))).toBe("INVALID_CREDENTIALS");
  });
});

describe("sign-in throttling with Redis counters", () => {
  let redis: Redis;
  let otherConnection: Redis;
  const keyPrefix = `auth101-test-${process.pid}-${Date.now()}:`;

  beforeAll(async () => {
    redis = new Redis({ host: "127.0.0.1", port: 6379, keyPrefix, lazyConnect: true, maxRetriesPerRequest: 1 });
    otherConnection = new Redis({
      host: "127.0.0.1",
      port: 6379,
      keyPrefix,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    await Promise.all([redis.connect(), otherConnection.connect()]);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(keyPrefix.length)));
    redis.disconnect();
    otherConnection.disconnect();
  });

  it("shares counters between two Auth101 instances", async () => {
    const store = new MemoryStore();
    const rule = { signInPerAccount: { attempts: 4, windowSeconds: 60 } };
    const first = makeAuth({ ...rule, redis }, store);
    const second = makeAuth({ ...rule, redis: otherConnection }, store);
    await first.signUp(ALICE, PASSWORD);
    await first.signIn(ALICE, "wrong password");
    await second.signIn(ALICE, "wrong password");
    await first.signIn(ALICE, "wrong password");
    await second.signIn(ALICE, "wrong password");
    const throttled = await first.signIn(ALICE, PASSWORD);
    expect(codeOf(throttled)).toBe("RATE_LIMITED");
    expect((throttled as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(50);
    expect(codeOf(await second.signIn(ALICE, PASSWORD))).toBe("RATE_LIMITED");
    expect(await redis.keys("*")).not.toContainEqual(expect.stringContaining("alice"));
  });

  it("keeps protecting from memory when Redis is unreachable", async () => {
    const dead = new Redis({
      host: "127.0.0.1",
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    dead.on("error", () => {});
    const auth = makeAuth({ redis: dead, signInPerAccount: { attempts: 2, windowSeconds: 60 } });
    await auth.signIn(ALICE, "wrong password");
    await auth.signIn(ALICE, "wrong password");
    expect(codeOf(await auth.signIn(ALICE, "wrong password"))).toBe("RATE_LIMITED");
    dead.disconnect();
  });
});

describe("common-password blocklist", () => {
  it.each(["password1", "Password1", "PASSWORD123", "iloveyou", "qwertyuiop", "1234567890", "baseball"])(
    "refuses %s at sign-up",
    async (password) => {
      const auth = makeAuth();
      expect(await auth.signUp(ALICE, password)).toEqual({
        error: {
          message: "password is too common: it appears on lists of frequently used passwords",
          code: "VALIDATION_ERROR",
        },
      });
    },
  );

  it("accepts an uncommon password", async () => {
    expect(await makeAuth().signUp(ALICE, "ochre-lantern-47-drift")).toHaveProperty("token");
  });

  it("refuses before hashing", async () => {
    hashTasks.mockClear();
    await makeAuth().signUp(ALICE, "password1");
    expect(hashTasks).not.toHaveBeenCalled();
  });

  it("can be turned off, and never blocks sign-in with an existing password", async () => {
    const store = new MemoryStore();
    const permissive = new Auth101({ secret: SECRET, store, password: { rejectCommon: false } });
    expect(await permissive.signUp(ALICE, "password1")).toHaveProperty("token");
    expect(await makeAuth({}, store).signIn(ALICE, "password1")).toHaveProperty("token");
  });
});
