import { randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuthResult, SignUpResult } from "./auth101.js";
import { Auth101 } from "./auth101.js";
import { MemoryStore } from "./memory-store.js";
import { TokenIssuer } from "./tokens.js";
import type { UserStore } from "./user-store.js";

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const PASSWORD = "correct horse battery";
const INVALID_TOKEN = { error: { message: "Invalid or expired token", code: "INVALID_TOKEN" } };
const USER_NOT_FOUND = { error: { message: "User not found", code: "USER_NOT_FOUND" } };

type Signed = Exclude<AuthResult, { error: unknown }>;

function setup(options: { tokenExpiresIn?: number; store?: MemoryStore } = {}) {
  const store = options.store ?? new MemoryStore();
  const auth = new Auth101({
    secret: SECRET,
    store,
    rateLimit: false,
    onFailure: () => {},
    ...(options.tokenExpiresIn !== undefined && { tokenExpiresIn: options.tokenExpiresIn }),
  });
  return { auth, store };
}

function signed(result: SignUpResult): Signed {
  if (!("token" in result)) throw new Error(JSON.stringify(result));
  return result;
}

function jtiOf(token: string): string {
  return (jwt.decode(token) as { jti: string }).jti;
}

/** Counts the calls each store method gets, passing them on. */
function counting(base: UserStore): { store: UserStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const store = new Proxy(base, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("sessions: sign-up and sign-in start one", () => {
  it("stores a session named by the token's jti, expiring with the token", async () => {
    const { auth, store } = setup();
    const before = Date.now();
    const up = signed(await auth.signUp("ann@example.com", PASSWORD));
    const claims = jwt.decode(up.token) as { jti: string; exp: number; sub: string };
    const found = await store.findSession(claims.jti);
    expect(found?.session.userId).toBe(up.user.id);
    expect(found?.session.expiresAt.getTime()).toBe(claims.exp * 1000);
    expect(found?.session.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(found?.session.createdAt.getTime()).toBeLessThanOrEqual(Date.now());

    const inAgain = signed(await auth.signIn("ann@example.com", PASSWORD));
    const sessions = await store.listSessions(up.user.id);
    expect(sessions.map((session) => session.id)).toEqual([jtiOf(inAgain.token), claims.jti]);
  });

  it("checks a token with exactly one store call, findSession, whatever the answer", async () => {
    const { store, calls } = counting(new MemoryStore());
    const auth = new Auth101({ secret: SECRET, store, rateLimit: false });
    const up = signed(await auth.signUp("bea@example.com", PASSWORD));
    calls.clear();
    await auth.getSession(up.token);
    await auth.getSession(up.token);
    await auth.verifyToken(up.token);
    expect(Object.fromEntries(calls)).toEqual({ findSession: 3 });
    calls.clear();
    await auth.getSession("not a token");
    expect(calls.size).toBe(0);
  });
});

describe("sessions: ending them", () => {
  it("refuses a token from the call after its sign-out, even though its signature is remembered", async () => {
    const { auth } = setup();
    const first = signed(await auth.signUp("cai@example.com", PASSWORD));
    const second = signed(await auth.signIn("cai@example.com", PASSWORD));
    expect(await auth.getSession(first.token)).toEqual({ user: first.user });
    expect(await auth.signOut(first.token)).toEqual({ success: true });
    expect(await auth.getSession(first.token)).toEqual(INVALID_TOKEN);
    expect(await auth.verifyToken(first.token)).toBeNull();
    // Only that session ended.
    expect(await auth.getSession(second.token)).toEqual({ user: first.user });
    // Signing out again has nothing left to end; a token that is not ours is still refused.
    expect(await auth.signOut(first.token)).toEqual({ success: true });
    expect(await auth.signOut("garbage")).toEqual(INVALID_TOKEN);
  });

  it("honours a sign-out made by another instance sharing the store on its very next check", async () => {
    const store = new MemoryStore();
    const one = setup({ store }).auth;
    const two = setup({ store }).auth;
    const up = signed(await one.signUp("dan@example.com", PASSWORD));
    expect(await two.verifyToken(up.token)).toMatchObject({ id: up.user.id });
    expect(await one.signOut(up.token)).toEqual({ success: true });
    expect(await two.verifyToken(up.token)).toBeNull();
    expect(await two.getSession(up.token)).toEqual(INVALID_TOKEN);
  });

  it("refuses a token whose session expired in the store, or belongs to another user", async () => {
    const { auth, store } = setup();
    const owner = signed(await auth.signUp("eve@example.com", PASSWORD));
    const other = signed(await auth.signUp("fay@example.com", PASSWORD));
    const issuer = new TokenIssuer({ secrets: [SECRET], issuer: "auth101", lifetimeSeconds: 600 });

    const expired = issuer.issue(owner.user.id);
    await store.createSession({
      id: expired.sessionId,
      userId: owner.user.id,
      createdAt: new Date(Date.now() - 2000),
      expiresAt: new Date(Date.now() - 1000),
    });
    expect(await auth.getSession(expired.token)).toEqual(INVALID_TOKEN);

    const borrowed = issuer.issue(owner.user.id);
    await store.createSession({
      id: borrowed.sessionId,
      userId: other.user.id,
      createdAt: new Date(),
      expiresAt: borrowed.expiresAt,
    });
    expect(await auth.getSession(borrowed.token)).toEqual(INVALID_TOKEN);
    // A well-signed token with no session at all (from before sessions, say).
    expect(await auth.getSession(issuer.issue(owner.user.id).token)).toEqual(INVALID_TOKEN);
  });

  it("signOutAll ends every session of the user, this one included, and no one else's", async () => {
    const { auth } = setup();
    const a = signed(await auth.signUp("gus@example.com", PASSWORD));
    const b = signed(await auth.signIn("gus@example.com", PASSWORD));
    const stranger = signed(await auth.signUp("hal@example.com", PASSWORD));
    expect(await auth.signOutAll(b.token)).toEqual({ success: true });
    expect(await auth.getSession(a.token)).toEqual(INVALID_TOKEN);
    expect(await auth.getSession(b.token)).toEqual(INVALID_TOKEN);
    expect(await auth.getSession(stranger.token)).toEqual({ user: stranger.user });
  });

  it("lets no ended session end the others", async () => {
    const { auth } = setup();
    const stolen = signed(await auth.signUp("ida@example.com", PASSWORD));
    const kept = signed(await auth.signIn("ida@example.com", PASSWORD));
    await auth.signOut(stolen.token);
    expect(await auth.signOutAll(stolen.token)).toEqual(INVALID_TOKEN);
    expect(await auth.endSession(stolen.token, jtiOf(kept.token))).toEqual(INVALID_TOKEN);
    expect(await auth.listSessions(stolen.token)).toEqual(INVALID_TOKEN);
    expect(await auth.getSession(kept.token)).toEqual({ user: kept.user });
  });
});

describe("sessions: listing and ending one", () => {
  it("lists the user's unexpired sessions newest first, marking the caller's, with ISO 8601 times", async () => {
    vi.useFakeTimers({ now: new Date("2026-05-01T10:00:00.000Z"), toFake: ["Date"] });
    const { auth } = setup({ tokenExpiresIn: 60 });
    const first = signed(await auth.signUp("jon@example.com", PASSWORD));
    vi.setSystemTime(new Date("2026-05-01T10:30:00.250Z"));
    const second = signed(await auth.signIn("jon@example.com", PASSWORD));
    vi.setSystemTime(new Date("2026-05-01T10:45:00.500Z"));
    const third = signed(await auth.signIn("jon@example.com", PASSWORD));
    signed(await auth.signUp("kay@example.com", PASSWORD));

    expect(await auth.listSessions(second.token)).toEqual({
      sessions: [
        {
          id: jtiOf(third.token),
          created_at: "2026-05-01T10:45:00.500Z",
          expires_at: "2026-05-01T11:45:00.000Z",
          current: false,
        },
        {
          id: jtiOf(second.token),
          created_at: "2026-05-01T10:30:00.250Z",
          expires_at: "2026-05-01T11:30:00.000Z",
          current: true,
        },
        {
          id: jtiOf(first.token),
          created_at: "2026-05-01T10:00:00.000Z",
          expires_at: "2026-05-01T11:00:00.000Z",
          current: false,
        },
      ],
    });
    // The first session has expired an hour after it began: it is no longer listed.
    vi.setSystemTime(new Date("2026-05-01T11:00:00.000Z"));
    const listed = await auth.listSessions(third.token);
    expect("sessions" in listed && listed.sessions.map((session) => session.id)).toEqual([
      jtiOf(third.token),
      jtiOf(second.token),
    ]);
  });

  it("endSession ends one of the caller's sessions; another user's or an unknown id changes nothing", async () => {
    const { auth } = setup();
    const mine = signed(await auth.signUp("lou@example.com", PASSWORD));
    const laptop = signed(await auth.signIn("lou@example.com", PASSWORD));
    const theirs = signed(await auth.signUp("mia@example.com", PASSWORD));

    expect(await auth.endSession(mine.token, jtiOf(theirs.token))).toEqual({ success: true });
    expect(await auth.getSession(theirs.token)).toEqual({ user: theirs.user });
    for (const unknown of [randomUUID(), "not-a-session-id", "", "x".repeat(10_000)]) {
      expect(await auth.endSession(mine.token, unknown)).toEqual({ success: true });
    }
    expect(await auth.getSession(laptop.token)).toEqual({ user: mine.user });

    expect(await auth.endSession(mine.token, jtiOf(laptop.token))).toEqual({ success: true });
    expect(await auth.getSession(laptop.token)).toEqual(INVALID_TOKEN);
    expect(await auth.getSession(mine.token)).toEqual({ user: mine.user });
    // Ending one's own current session is a sign-out.
    expect(await auth.endSession(mine.token, jtiOf(mine.token))).toEqual({ success: true });
    expect(await auth.getSession(mine.token)).toEqual(INVALID_TOKEN);
  });
});

describe("sessions: account administration", () => {
  it("deactivateUser ends every session at once and refuses sign-in until reactivateUser", async () => {
    const { auth, store } = setup();
    const up = signed(await auth.signUp("ned@example.com", PASSWORD));
    signed(await auth.signIn("ned@example.com", PASSWORD));
    expect(await auth.deactivateUser(up.user.id)).toEqual({ success: true });
    expect(await store.listSessions(up.user.id)).toEqual([]);
    expect(await auth.getSession(up.token)).toEqual(INVALID_TOKEN);
    expect(await auth.signIn("ned@example.com", PASSWORD)).toHaveProperty("error.code", "INVALID_CREDENTIALS");

    expect(await auth.reactivateUser(up.user.id)).toEqual({ success: true });
    const back = signed(await auth.signIn("ned@example.com", PASSWORD));
    expect(back.user.is_active).toBe(true);
    // Old sessions stay ended.
    expect(await auth.getSession(up.token)).toEqual(INVALID_TOKEN);
    expect(await auth.getSession(back.token)).toEqual({ user: back.user });
  });

  it("deleteUser removes the user and their sessions; the email can sign up again", async () => {
    const { auth, store } = setup();
    const up = signed(await auth.signUp("ola@example.com", PASSWORD));
    expect(await auth.deleteUser(up.user.id)).toEqual({ success: true });
    expect(await store.findById(up.user.id)).toBeNull();
    expect(await store.listSessions(up.user.id)).toEqual([]);
    expect(await auth.getSession(up.token)).toEqual(INVALID_TOKEN);
    expect(await auth.signIn("ola@example.com", PASSWORD)).toHaveProperty("error.code", "INVALID_CREDENTIALS");
    expect(await auth.signUp("ola@example.com", PASSWORD)).toHaveProperty("token");
  });

  it("endUserSessions signs the user out everywhere and leaves the account usable", async () => {
    const { auth } = setup();
    const a = signed(await auth.signUp("pam@example.com", PASSWORD));
    const b = signed(await auth.signIn("pam@example.com", PASSWORD));
    expect(await auth.endUserSessions(a.user.id)).toEqual({ success: true });
    expect(await auth.getSession(a.token)).toEqual(INVALID_TOKEN);
    expect(await auth.getSession(b.token)).toEqual(INVALID_TOKEN);
    expect(await auth.signIn("pam@example.com", PASSWORD)).toHaveProperty("token");
  });

  it("answers USER_NOT_FOUND for an unknown user id", async () => {
    const { auth } = setup();
    for (const id of [randomUUID(), "", "nobody"]) {
      expect(await auth.deactivateUser(id)).toEqual(USER_NOT_FOUND);
      expect(await auth.reactivateUser(id)).toEqual(USER_NOT_FOUND);
      expect(await auth.deleteUser(id)).toEqual(USER_NOT_FOUND);
      expect(await auth.endUserSessions(id)).toEqual(USER_NOT_FOUND);
    }
  });
});

describe("sessions: password reset", () => {
  it("a password reset ends every session of the user", async () => {
    const sent: string[] = [];
    const auth = new Auth101({
      secret: SECRET,
      rateLimit: false,
      onFailure: () => {},
      passwordReset: { send: ({ token }) => void sent.push(token) },
    });
    const up = signed(await auth.signUp("uma@example.com", PASSWORD));
    const other = signed(await auth.signIn("uma@example.com", PASSWORD));
    expect(await auth.requestPasswordReset("uma@example.com")).toEqual({ success: true });
    await auth.whenIdle();
    expect(await auth.resetPassword(sent[0] ?? "", "a brand new passphrase")).toEqual({ success: true });
    expect(await auth.getSession(up.token)).toEqual(INVALID_TOKEN);
    expect(await auth.getSession(other.token)).toEqual(INVALID_TOKEN);
  });
});

describe("sessions: pruning", () => {
  it("keeps the store small: each sign-in prunes the user's expired sessions", async () => {
    vi.useFakeTimers({ now: new Date("2026-06-01T00:00:00Z"), toFake: ["Date"] });
    const { auth, store } = setup({ tokenExpiresIn: 1 });
    const up = signed(await auth.signUp("quy@example.com", PASSWORD));
    for (let i = 0; i < 30; i += 1) {
      vi.advanceTimersByTime(61_000);
      signed(await auth.signIn("quy@example.com", PASSWORD));
      // The session just made; every earlier one expired and was pruned.
      expect((await store.listSessions(up.user.id)).length).toBe(1);
    }
  });

  it("pruneExpiredSessions deletes every expired session in the store and says how many", async () => {
    vi.useFakeTimers({ now: new Date("2026-06-01T00:00:00Z"), toFake: ["Date"] });
    const { auth, store } = setup({ tokenExpiresIn: 1 });
    const a = signed(await auth.signUp("rex@example.com", PASSWORD));
    const b = signed(await auth.signUp("sol@example.com", PASSWORD));
    signed(await auth.signIn("sol@example.com", PASSWORD));
    vi.advanceTimersByTime(60_000);
    const fresh = signed(await auth.signUp("tia@example.com", PASSWORD));
    expect(await auth.pruneExpiredSessions()).toEqual({ deleted: 3 });
    expect(await store.listSessions(a.user.id)).toEqual([]);
    expect(await store.listSessions(b.user.id)).toEqual([]);
    expect(await auth.getSession(fresh.token)).toEqual({ user: fresh.user });
    expect(await auth.pruneExpiredSessions()).toEqual({ deleted: 0 });
  });
});
