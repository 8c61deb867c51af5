import * as argon2 from "@node-rs/argon2";
import { describe, expect, it, vi } from "vitest";
import { Auth101 } from "./auth101.js";
import { MemoryStore } from "./memory-store.js";
import type { AccountEmailMessage } from "./options.js";

vi.mock("@node-rs/argon2", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@node-rs/argon2")>();
  return { ...actual, hash: vi.fn(actual.hash), verify: vi.fn(actual.verify) };
});

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "a brand new passphrase";

const codeOf = (result: object): string | undefined =>
  "error" in result ? (result as { error: { code: string } }).error.code : undefined;

async function signedIn(auth: Auth101, email: string): Promise<string> {
  const result = await auth.signIn(email, PASSWORD);
  if (!("token" in result)) throw new Error(JSON.stringify(result));
  return result.token;
}

function setup(options: { signInPerAccount?: number } = {}) {
  const store = new MemoryStore();
  const sent: AccountEmailMessage[] = [];
  const auth = new Auth101({
    secret: SECRET,
    store,
    onFailure: () => {},
    passwordReset: { send: (message) => void sent.push(message) },
    ...(options.signInPerAccount === undefined
      ? {}
      : { rateLimit: { signInPerAccount: { attempts: options.signInPerAccount, windowSeconds: 600 } } }),
  });
  return { auth, store, sent };
}

describe("changePassword", () => {
  it("sets the new password, answers a new session, and ends the old one and every other by default", async () => {
    const { auth } = setup();
    await auth.signUp("ann@example.com", PASSWORD);
    const current = await signedIn(auth, "ann@example.com");
    const other = await signedIn(auth, "ann@example.com");

    const changed = await auth.changePassword(current, PASSWORD, NEW_PASSWORD);
    if (!("token" in changed)) throw new Error(JSON.stringify(changed));
    expect(changed.user).toEqual({ id: expect.any(String), email: "ann@example.com", is_active: true });
    expect(await auth.getSession(changed.token)).toEqual({ user: changed.user });
    expect(codeOf(await auth.getSession(current))).toBe("INVALID_TOKEN");
    expect(codeOf(await auth.getSession(other))).toBe("INVALID_TOKEN");
    expect(codeOf(await auth.signIn("ann@example.com", PASSWORD))).toBe("INVALID_CREDENTIALS");
    expect(await auth.signIn("ann@example.com", NEW_PASSWORD)).toHaveProperty("token");
  });

  it("keeps the other sessions with revokeOtherSessions: false, still ending the one that asked", async () => {
    const { auth } = setup();
    await auth.signUp("ben@example.com", PASSWORD);
    const current = await signedIn(auth, "ben@example.com");
    const other = await signedIn(auth, "ben@example.com");
    const changed = await auth.changePassword(current, PASSWORD, NEW_PASSWORD, { revokeOtherSessions: false });
    expect(changed).toHaveProperty("token");
    expect(codeOf(await auth.getSession(current))).toBe("INVALID_TOKEN");
    expect(await auth.getSession(other)).toHaveProperty("user");
  });

  it("answers a wrong current password 401 INVALID_CREDENTIALS, counted like a sign-in, and changes nothing", async () => {
    const { auth } = setup({ signInPerAccount: 2 });
    await auth.signUp("cat@example.com", PASSWORD);
    const token = await signedIn(auth, "cat@example.com");
    expect(await auth.changePassword(token, "wrong password 1", NEW_PASSWORD)).toEqual({
      error: { code: "INVALID_CREDENTIALS", message: "Invalid email or password" },
    });
    expect(codeOf(await auth.changePassword(token, "wrong password 2", NEW_PASSWORD))).toBe("INVALID_CREDENTIALS");
    const throttled = await auth.changePassword(token, PASSWORD, NEW_PASSWORD);
    expect(throttled).toMatchObject({ error: { code: "RATE_LIMITED" }, retryAfterSeconds: expect.any(Number) });
    expect(await auth.getSession(token)).toHaveProperty("user");
    expect(codeOf(await auth.signIn("cat@example.com", NEW_PASSWORD))).toBe("RATE_LIMITED");
  });

  it("refuses a new password that fails the sign-up policy, before any hashing", async () => {
    const { auth } = setup();
    await auth.signUp("dan@example.com", PASSWORD);
    const token = await signedIn(auth, "dan@example.com");
    vi.mocked(argon2.verify).mockClear();
    expect(await auth.changePassword(token, PASSWORD, "short")).toEqual({
      error: { code: "VALIDATION_ERROR", message: "new_password must be at least 8 characters" },
    });
    expect(codeOf(await auth.changePassword(token, PASSWORD, "password123"))).toBe("VALIDATION_ERROR");
    expect(argon2.verify).not.toHaveBeenCalled();
  });

  it("needs a live session: a bad or ended token is refused before the password is looked at", async () => {
    const { auth } = setup();
    await auth.signUp("eve@example.com", PASSWORD);
    const token = await signedIn(auth, "eve@example.com");
    expect(codeOf(await auth.changePassword("garbage", PASSWORD, NEW_PASSWORD))).toBe("INVALID_TOKEN");
    await auth.signOut(token);
    expect(codeOf(await auth.changePassword(token, PASSWORD, NEW_PASSWORD))).toBe("INVALID_TOKEN");
  });

  it("retires the user's password-reset tokens", async () => {
    const { auth, sent } = setup();
    await auth.signUp("fay@example.com", PASSWORD);
    await auth.requestPasswordReset("fay@example.com");
    await auth.whenIdle();
    const token = await signedIn(auth, "fay@example.com");
    expect(await auth.changePassword(token, PASSWORD, NEW_PASSWORD)).toHaveProperty("token");
    expect(codeOf(await auth.resetPassword(sent[0]?.token ?? "", "yet another passphrase"))).toBe(
      "INVALID_RESET_TOKEN",
    );
  });
});

describe("resetPassword and sessions", () => {
  it("ends every session of the user", async () => {
    const { auth, sent } = setup();
    await auth.signUp("gus@example.com", PASSWORD);
    const first = await signedIn(auth, "gus@example.com");
    const second = await signedIn(auth, "gus@example.com");
    await auth.requestPasswordReset("gus@example.com");
    await auth.whenIdle();
    expect(await auth.resetPassword(sent[0]?.token ?? "", NEW_PASSWORD)).toEqual({ success: true });
    expect(codeOf(await auth.getSession(first))).toBe("INVALID_TOKEN");
    expect(codeOf(await auth.getSession(second))).toBe("INVALID_TOKEN");
  });
});
