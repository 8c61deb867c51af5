import * as argon2 from "@node-rs/argon2";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { Auth101 } from "./auth101.js";
import { HashWorkerPool, type HashTask } from "./hash-worker-pool.js";
import { StoreUnavailableError } from "./errors.js";
import { MemoryStore } from "./memory-store.js";
import type { AuthFailureEvent } from "./options.js";
import type { StoredUser, UserStore } from "./user-store.js";

// The dummy hash is made in-process; every other hash and verification is a pool task.
vi.mock("@node-rs/argon2", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@node-rs/argon2")>();
  return { ...actual, hash: vi.fn(actual.hash) };
});
const hashTasks = vi.spyOn(HashWorkerPool.prototype, "run");
const tasksOf = (kind: HashTask["kind"]): HashTask[] =>
  hashTasks.mock.calls.map(([task]) => task).filter((task) => task.kind === kind);

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const PASSWORD = "correct horse battery";

function setup(options: { onFailure?: (event: AuthFailureEvent) => void } = {}) {
  const store = new MemoryStore();
  const failures: AuthFailureEvent[] = [];
  const auth = new Auth101({
    secret: SECRET,
    store,
    onFailure: options.onFailure ?? ((event) => failures.push(event)),
  });
  return { auth, store, failures };
}

/** The store with some methods replaced; the rest go to `base`. */
function storeWith(replaced: Partial<UserStore>, base: UserStore = new MemoryStore()): UserStore {
  return new Proxy(base, {
    get(target, name) {
      if (Object.hasOwn(replaced, name)) return replaced[name as keyof UserStore];
      const value: unknown = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function failingStore(failing: keyof UserStore | "all", base = new MemoryStore()): UserStore {
  const fail = (): Promise<never> => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432 password=hunter2"));
  return new Proxy(base, {
    get(target, name) {
      if (failing === "all" || name === failing) return fail;
      const value: unknown = Reflect.get(target, name, target);
      // Bound to the real store: its methods use private fields, which a proxy lacks.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

beforeEach(() => {
  vi.mocked(argon2.hash).mockClear();
  hashTasks.mockClear();
});

describe("Auth101 sign-up and sign-in", () => {
  it("signs a user up, in, reads the session and signs out", async () => {
    const { auth } = setup();
    const up = await auth.signUp(" Alice@Example.com ", PASSWORD);
    expect(up).toEqual({
      user: { id: expect.any(String), email: "alice@example.com", is_active: true },
      token: expect.any(String),
    });
    if (!("token" in up)) throw new Error("unreachable");
    expect(Object.keys(up).sort()).toEqual(["token", "user"]);
    expect(Object.keys(up.user).sort()).toEqual(["email", "id", "is_active"]);

    const signedIn = await auth.signIn("ALICE@example.COM", PASSWORD);
    if ("error" in signedIn) throw new Error(signedIn.error.message);
    expect(signedIn.user).toEqual(up.user);
    expect(signedIn.token).not.toBe(up.token);

    expect(await auth.getSession(signedIn.token)).toEqual({ user: up.user });
    expect(await auth.verifyToken(signedIn.token)).toEqual({
      id: up.user.id,
      email: "alice@example.com",
      isActive: true,
      emailVerified: false,
    });
    expect(await auth.signOut(signedIn.token)).toEqual({ success: true });
  });

  it("refuses a second sign-up with the same email in any case or spacing", async () => {
    const { auth } = setup();
    await auth.signUp("bob@example.com", PASSWORD);
    expect(await auth.signUp("  BOB@example.com", "another password")).toEqual({
      error: { message: "A user with this email already exists", code: "USER_EXISTS" },
    });
  });

  it("lets exactly one of many concurrent sign-ups with one email through", async () => {
    const { auth } = setup();
    const results = await Promise.all(Array.from({ length: 8 }, () => auth.signUp("race@example.com", PASSWORD)));
    expect(results.filter((result) => "token" in result)).toHaveLength(1);
    expect(results.filter((result) => "error" in result && result.error.code === "USER_EXISTS")).toHaveLength(7);
  });

  it("answers the same INVALID_CREDENTIALS for a wrong password, an unknown email and a deactivated account", async () => {
    const { auth, store } = setup();
    const up = await auth.signUp("carol@example.com", PASSWORD);
    if (!("token" in up)) throw new Error(JSON.stringify(up));
    const wrongPassword = await auth.signIn("carol@example.com", `${PASSWORD}!`);
    const unknownEmail = await auth.signIn("nobody@example.com", PASSWORD);
    await store.setActive(up.user.id, false);
    const deactivated = await auth.signIn("carol@example.com", PASSWORD);
    const expected = { error: { message: "Invalid email or password", code: "INVALID_CREDENTIALS" } };
    expect(wrongPassword).toEqual(expected);
    expect(unknownEmail).toEqual(expected);
    expect(deactivated).toEqual(expected);
  });

  it("does the same hashing work for an unknown email as for a wrong password", async () => {
    const { auth, store } = setup();
    await auth.signUp("dave@example.com", PASSWORD);
    await auth.signIn("warm-up@example.com", PASSWORD); // creates the dummy hash once

    const count = async (signIn: () => Promise<unknown>) => {
      hashTasks.mockClear();
      await signIn();
      return { hashes: tasksOf("argon2-hash").length, verifies: tasksOf("argon2-verify").length };
    };
    const wrongPassword = await count(() => auth.signIn("dave@example.com", "wrong password!"));
    const unknownEmail = await count(() => auth.signIn("nobody@example.com", "wrong password!"));
    expect(wrongPassword).toEqual({ hashes: 0, verifies: 1 });
    expect(unknownEmail).toEqual(wrongPassword);

    // A password NFKC changes is tried in both forms, known email or not.
    const ligature = "\uFB01nance-\uFF30\uFF41\uFF53\uFF53-wrong";
    const wrongTwoForms = await count(() => auth.signIn("dave@example.com", ligature));
    const unknownTwoForms = await count(() => auth.signIn("nobody@example.com", ligature));
    expect(wrongTwoForms).toEqual({ hashes: 0, verifies: 2 });
    expect(unknownTwoForms).toEqual(wrongTwoForms);

    // A refused hostile hash costs what an unknown email costs, and its own verification never runs.
    const hostile = (await argon2.hash(PASSWORD)).replace(/m=\d+/, "m=4294967295");
    await store.create({ email: "hostile@example.com", passwordHash: hostile });
    const hostileCount = await count(() => auth.signIn("hostile@example.com", "wrong password!"));
    expect(hostileCount).toEqual(unknownEmail);
    expect(tasksOf("argon2-verify").map((task) => "storedHash" in task && task.storedHash)).not.toContain(hostile);
  });

  it("signs in a user whose imported Argon2 hash was made from the password as typed, and rehashes it normalized", async () => {
    const { auth, store } = setup();
    const typed = "\uFB01nance-\uFF30\uFF41\uFF53\uFF53-2024!";
    // argon2-cffi's defaults (argon2id t=3, m=65536, p=4), from an app that never normalized.
    const imported = await argon2.hash(typed, { memoryCost: 65_536, timeCost: 3, parallelism: 4 });
    const created = await store.create({ email: "migrated@example.com", passwordHash: imported });

    const signedIn = await auth.signIn("migrated@example.com", typed);
    expect(signedIn).toMatchObject({ user: { id: created.id } });
    const rehashed = (await store.findByEmail("migrated@example.com"))?.passwordHash ?? "";
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await argon2.verify(rehashed, typed.normalize("NFKC"))).toBe(true);

    hashTasks.mockClear();
    expect(await auth.signIn("migrated@example.com", typed)).toMatchObject({ user: { id: created.id } });
    expect(tasksOf("argon2-verify")).toHaveLength(1);
    expect(await auth.signIn("migrated@example.com", "finance-Pass-2024!")).toMatchObject({ user: { id: created.id } });
  });

  it("refuses a stored hash whose parameters exceed the limits: INVALID_CREDENTIALS, reported, hash never leaked", async () => {
    const store = new MemoryStore();
    const failures: AuthFailureEvent[] = [];
    const auth = new Auth101({
      secret: SECRET,
      store,
      hashing: { storedHashLimits: { memoryCost: 32_768 } },
      onFailure: (event) => failures.push(event),
    });
    const heavy = await argon2.hash(PASSWORD, { memoryCost: 65_536, timeCost: 3, parallelism: 4 });
    const created = await store.create({ email: "heavy@example.com", passwordHash: heavy });

    expect(await auth.signIn("heavy@example.com", PASSWORD)).toEqual({
      error: { message: "Invalid email or password", code: "INVALID_CREDENTIALS" },
    });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: "UNSAFE_PASSWORD_HASH", operation: "signIn" });
    const error = failures[0]?.error as Error;
    expect(error.name).toBe("UnsafePasswordHashError");
    expect(error.message).toBe(
      `The stored password hash of user ${created.id} was not verified: Argon2 m=65536 is above 32768`,
    );
    expect(error.message).not.toContain(heavy.split("$").at(-1));
    expect((await store.findByEmail("heavy@example.com"))?.passwordHash).toBe(heavy);
  });

  it("prepares the dummy hash at construction, so the first unknown email costs no extra hash", async () => {
    const auth = new Auth101({ secret: SECRET, hashing: { memoryCost: 20_480 } });
    expect(argon2.hash).toHaveBeenCalledTimes(1);
    new Auth101({ secret: SECRET, hashing: { memoryCost: 20_480 } });
    expect(argon2.hash).toHaveBeenCalledTimes(1);
    await auth.signIn("first@example.com", PASSWORD);
    expect(argon2.hash).toHaveBeenCalledTimes(1);
    expect(tasksOf("argon2-hash")).toHaveLength(0);
    expect(tasksOf("argon2-verify")).toHaveLength(1);
  });

  it("uses a dummy hash with the configured parameters", async () => {
    const { auth } = setup();
    await auth.signIn("nobody@example.com", PASSWORD);
    const [dummy] = tasksOf("argon2-verify").map((task) => "storedHash" in task && task.storedHash);
    expect(String(dummy)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("refuses an over-long password before any hashing, on sign-up and sign-in", async () => {
    const { auth } = setup();
    const long = "x".repeat(129);
    expect(await auth.signUp("erin@example.com", long)).toEqual({
      error: { message: "password must be at most 128 characters", code: "VALIDATION_ERROR" },
    });
    expect(await auth.signIn("erin@example.com", long)).toEqual({
      error: { message: "password must be at most 128 characters", code: "VALIDATION_ERROR" },
    });
    expect(hashTasks).not.toHaveBeenCalled();
  });

  it("lets a user whose password is shorter than today's minimum still sign in", async () => {
    const store = new MemoryStore();
    await store.create({
      email: "old@example.com",
      passwordHash: await argon2.hash("short1", { memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
    });
    const auth = new Auth101({ secret: SECRET, store });
    expect(await auth.signIn("old@example.com", "short1")).toHaveProperty("token");
  });

  it("normalizes passwords with NFKC on sign-up and sign-in", async () => {
    const { auth } = setup();
    await auth.signUp("fay@example.com", "cafe\u0301 au lait");
    expect(await auth.signIn("fay@example.com", "caf\u00e9 au lait")).toHaveProperty("token");
    expect(await auth.signIn("fay@example.com", "cafe au lait")).toHaveProperty("error.code", "INVALID_CREDENTIALS");
  });

  it("never puts the password hash in a result", async () => {
    const { auth } = setup();
    const results: unknown[] = [
      await auth.signUp("gus@example.com", PASSWORD),
      await auth.signIn("gus@example.com", PASSWORD),
      await auth.signIn("gus@example.com", "wrong password"),
    ];
    const token = (results[1] as { token: string }).token;
    results.push(await auth.getSession(token));
    for (const result of results) expect(JSON.stringify(result)).not.toMatch(/argon2|passwordHash|password_hash/);
  });

  it.each([
    ["a number email", 42, PASSWORD, "email must be a string"],
    ["a missing password", "h@example.com", undefined, "password is required"],
    ["an object password", "h@example.com", { length: 10 }, "password must be a string"],
    ["a malformed email", "not-an-email", PASSWORD, "email must look like name@example.com"],
    ["a short password", "h@example.com", "short", "password must be at least 8 characters"],
  ])("answers VALIDATION_ERROR for %s from untyped callers", async (_, email, password, message) => {
    const { auth } = setup();
    const asUntyped = auth as unknown as { signUp(e: unknown, p: unknown): Promise<unknown> };
    expect(await asUntyped.signUp(email, password)).toEqual({ error: { message, code: "VALIDATION_ERROR" } });
  });
});

describe("Auth101 hash upgrades", () => {
  it("upgrades an imported bcrypt hash to Argon2id on the next successful sign-in", async () => {
    const store = new MemoryStore();
    await store.create({ email: "imported@example.com", passwordHash: await bcryptHash("legacy password", 10) });
    const auth = new Auth101({ secret: SECRET, store });

    expect(await auth.signIn("imported@example.com", "wrong password")).toHaveProperty(
      "error.code",
      "INVALID_CREDENTIALS",
    );
    expect((await store.findByEmail("imported@example.com"))?.passwordHash).toMatch(/^\$2b\$/);

    expect(await auth.signIn("imported@example.com", "legacy password")).toHaveProperty("token");
    const upgraded = (await store.findByEmail("imported@example.com"))?.passwordHash;
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await auth.signIn("imported@example.com", "legacy password")).toHaveProperty("token");
    expect((await store.findByEmail("imported@example.com"))?.passwordHash).toBe(upgraded);
  });

  it("upgrades an Argon2 hash when the configured parameters were raised", async () => {
    const store = new MemoryStore();
    const before = new Auth101({ secret: SECRET, store });
    await before.signUp("ivy@example.com", PASSWORD);
    const after = new Auth101({ secret: SECRET, store, hashing: { memoryCost: 32_768, timeCost: 3 } });
    expect(await after.signIn("ivy@example.com", PASSWORD)).toHaveProperty("token");
    expect((await store.findByEmail("ivy@example.com"))?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=32768,t=3,p=1\$/);
  });

  it("still signs the user in when the upgrade cannot be stored, and reports it", async () => {
    const base = new MemoryStore();
    await base.create({ email: "jo@example.com", passwordHash: await bcryptHash(PASSWORD, 4) });
    const failures: AuthFailureEvent[] = [];
    const auth = new Auth101({
      secret: SECRET,
      store: failingStore("updatePasswordHash", base),
      onFailure: (event) => failures.push(event),
    });
    expect(await auth.signIn("jo@example.com", PASSWORD)).toHaveProperty("token");
    expect(failures).toEqual([{ code: "STORE_UNAVAILABLE", operation: "signIn", error: expect.any(Error) }]);
  });
});

describe("Auth101 tokens and sessions", () => {
  it("answers INVALID_TOKEN for junk and non-strings, and verifyToken null", async () => {
    const { auth } = setup();
    for (const token of ["", "junk", "a.b.c", 42, null, undefined]) {
      expect(await auth.getSession(token as string)).toEqual({
        error: { message: "Invalid or expired token", code: "INVALID_TOKEN" },
      });
      expect(await auth.signOut(token as string)).toHaveProperty("error.code", "INVALID_TOKEN");
      expect(await auth.verifyToken(token as string)).toBeNull();
    }
  });

  it("answers USER_NOT_FOUND for a live session whose user was deactivated in the store", async () => {
    const { auth, store } = setup();
    const up = await auth.signUp("lee@example.com", PASSWORD);
    if (!("token" in up)) throw new Error(JSON.stringify(up));
    await store.setActive(up.user.id, false);
    expect(await auth.getSession(up.token)).toEqual({ error: { message: "User not found", code: "USER_NOT_FOUND" } });
    expect(await auth.verifyToken(up.token)).toBeNull();
  });

  it("answers INVALID_TOKEN once the user is deleted: their sessions went with them", async () => {
    const { auth, store } = setup();
    const up = await auth.signUp("kim@example.com", PASSWORD);
    if (!("token" in up)) throw new Error(JSON.stringify(up));
    await store.deleteUser(up.user.id);
    expect(await auth.getSession(up.token)).toEqual({
      error: { message: "Invalid or expired token", code: "INVALID_TOKEN" },
    });
    expect(await auth.verifyToken(up.token)).toBeNull();
  });

  it("does not accept another instance's tokens when the secret differs", async () => {
    const { auth } = setup();
    const other = new Auth101({ secret: `${SECRET}-other`, store: new MemoryStore() });
    const up = await other.signUp("max@example.com", PASSWORD);
    if (!("token" in up)) throw new Error(JSON.stringify(up));
    expect(await auth.getSession(up.token)).toHaveProperty("error.code", "INVALID_TOKEN");
  });

  it("expires tokens after tokenExpiresIn minutes", async () => {
    vi.useFakeTimers({ now: new Date("2026-03-01T12:00:00Z"), toFake: ["Date"] });
    try {
      const auth = new Auth101({ secret: SECRET, tokenExpiresIn: 30 });
      const up = await auth.signUp("ned@example.com", PASSWORD);
      if (!("token" in up)) throw new Error(JSON.stringify(up));
      vi.setSystemTime(new Date("2026-03-01T12:29:59Z"));
      expect(await auth.getSession(up.token)).toHaveProperty("user");
      vi.setSystemTime(new Date("2026-03-01T12:30:00Z"));
      expect(await auth.getSession(up.token)).toHaveProperty("error.code", "INVALID_TOKEN");
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("Auth101 when the store fails", () => {
  const unavailable = {
    error: {
      message: "The user store is unavailable; nothing was changed. Try again later",
      code: "STORE_UNAVAILABLE",
    },
  };

  const signUpOutcomeUnknown = {
    error: {
      message:
        "The user store failed while creating the account, so it may or may not exist. " +
        "Sign in with the same email and password; if that answers INVALID_CREDENTIALS, sign up again",
      code: "STORE_UNAVAILABLE",
    },
  };

  it("never tells a sign-up whose write failed that nothing changed: the row may have been committed", async () => {
    // The INSERT commits, then the reply is lost (a connection reset after the commit).
    const base = new MemoryStore();
    const store = storeWith(
      {
        create: async (user) => {
          await base.create(user);
          throw new Error("read ECONNRESET");
        },
      },
      base,
    );
    const auth = new Auth101({ secret: SECRET, store, onFailure: () => {} });
    const answer = await auth.signUp("committed@example.com", PASSWORD);
    expect(answer).toEqual(signUpOutcomeUnknown);
    expect(JSON.stringify(answer)).not.toContain("nothing was changed");
    // What the message tells the client to do works.
    expect(await auth.signIn("committed@example.com", PASSWORD)).toHaveProperty("token");
    expect(await auth.signUp("committed@example.com", PASSWORD)).toHaveProperty("error.code", "USER_EXISTS");
  });

  it("answers STORE_UNAVAILABLE, never INVALID_CREDENTIALS or a rejection", async () => {
    const failures: AuthFailureEvent[] = [];
    const auth = new Auth101({
      secret: SECRET,
      store: failingStore("all"),
      onFailure: (event) => failures.push(event),
    });
    expect(await auth.signUp("ora@example.com", PASSWORD)).toEqual(signUpOutcomeUnknown);
    expect(await auth.signIn("ora@example.com", PASSWORD)).toEqual(unavailable);
    expect(failures.map((event) => [event.code, event.operation])).toEqual([
      ["STORE_UNAVAILABLE", "signUp"],
      ["STORE_UNAVAILABLE", "signIn"],
    ]);
  });

  it("answers STORE_UNAVAILABLE for a session and rejects verifyToken with StoreUnavailableError", async () => {
    const base = new MemoryStore();
    const healthy = new Auth101({ secret: SECRET, store: base });
    const up = await healthy.signUp("pat@example.com", PASSWORD);
    if (!("token" in up)) throw new Error(JSON.stringify(up));
    const auth = new Auth101({ secret: SECRET, store: failingStore("findSession", base), onFailure: () => {} });
    expect(await auth.getSession(up.token)).toEqual(unavailable);
    await expect(auth.verifyToken(up.token)).rejects.toBeInstanceOf(StoreUnavailableError);
    for (const answer of [auth.signOutAll(up.token), auth.listSessions(up.token), auth.endSession(up.token, "x")]) {
      expect(await answer).toEqual(unavailable);
    }
    expect(await auth.signOut(up.token)).toEqual({ success: true });
  });

  it("treats a store method that throws instead of rejecting as the same outage", async () => {
    const base = new MemoryStore();
    const healthy = new Auth101({ secret: SECRET, store: base });
    const up = await healthy.signUp("sync@example.com", PASSWORD);
    if (!("token" in up)) throw new Error(JSON.stringify(up));
    const failures: AuthFailureEvent[] = [];
    const store = storeWith(
      {
        findSession: () => {
          throw new Error("connect ECONNREFUSED");
        },
      },
      base,
    );
    const auth = new Auth101({ secret: SECRET, store, onFailure: (event) => failures.push(event) });
    expect(await auth.getSession(up.token)).toEqual(unavailable);
    expect(await auth.authenticate(up.token)).toEqual(unavailable);
    await expect(auth.verifyToken(up.token)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(failures.map((event) => [event.code, event.operation])).toEqual([
      ["STORE_UNAVAILABLE", "getSession"],
      ["STORE_UNAVAILABLE", "getSession"],
      ["STORE_UNAVAILABLE", "verifyToken"],
    ]);
  });

  it("answers STORE_UNAVAILABLE when the session cannot be written or ended", async () => {
    const base = new MemoryStore();
    const healthy = new Auth101({ secret: SECRET, store: base });
    const up = await healthy.signUp("pia@example.com", PASSWORD);
    if (!("token" in up)) throw new Error(JSON.stringify(up));
    const failures: AuthFailureEvent[] = [];
    const onFailure = (event: AuthFailureEvent): void => void failures.push(event);
    const noCreate = new Auth101({ secret: SECRET, store: failingStore("createSession", base), onFailure });
    expect(await noCreate.signIn("pia@example.com", PASSWORD)).toEqual(unavailable);
    // The account exists without a session: the answer says to sign in, and that works.
    expect(await noCreate.signUp("pia2@example.com", PASSWORD)).toEqual(signUpOutcomeUnknown);
    expect(await healthy.signIn("pia2@example.com", PASSWORD)).toHaveProperty("token");
    const noDelete = new Auth101({ secret: SECRET, store: failingStore("deleteSession", base), onFailure });
    expect(await noDelete.signOut(up.token)).toEqual(unavailable);
    expect(await healthy.getSession(up.token)).toHaveProperty("user");
    expect(failures.map((event) => event.operation)).toEqual(["signIn", "signUp", "signOut"]);
  });

  it("still signs in when pruning expired sessions fails, and reports it", async () => {
    const failures: AuthFailureEvent[] = [];
    const base = new MemoryStore();
    const auth = new Auth101({
      secret: SECRET,
      store: failingStore("deleteExpiredSessions", base),
      onFailure: (event) => failures.push(event),
    });
    await auth.signUp("ray@example.com", PASSWORD);
    expect(await auth.signIn("ray@example.com", PASSWORD)).toHaveProperty("token");
    expect(failures).toMatchObject([{ code: "STORE_UNAVAILABLE", operation: "signIn" }]);
    expect(await auth.pruneExpiredSessions()).toEqual(unavailable);
  });

  it("reports the failure without the driver's message by default", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const auth = new Auth101({ secret: SECRET, store: failingStore("all") });
      await auth.signIn("quinn@example.com", PASSWORD);
      expect(log).toHaveBeenCalledWith("[auth101] signIn failed: STORE_UNAVAILABLE (Error)");
      expect(JSON.stringify(log.mock.calls)).not.toContain("hunter2");
    } finally {
      log.mockRestore();
    }
  });

  it("turns an unexpected error into INTERNAL_ERROR with no internals", async () => {
    const failures: AuthFailureEvent[] = [];
    const store = new MemoryStore();
    const broken = storeWith(
      {
        findByEmail: async () =>
          ({
            id: "u",
            email: "r@example.com",
            isActive: true,
            get passwordHash(): string {
              throw new TypeError("boom at /srv/app.js:1");
            },
          }) as StoredUser,
      },
      store,
    );
    const auth = new Auth101({ secret: SECRET, store: broken, onFailure: (event) => failures.push(event) });
    expect(await auth.signIn("r@example.com", PASSWORD)).toEqual({
      error: { message: "Internal error", code: "INTERNAL_ERROR" },
    });
    expect(failures[0]).toMatchObject({ code: "INTERNAL_ERROR", operation: "signIn" });
  });
});
