import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { StoredSession, User } from "@auth101/core";
import type { PrismaUserStore } from "../index.js";

const HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
const HOUR = 3_600_000;

/**
 * The store's session and account-administration methods against a real database: every
 * method, the foreign key and its cascade, millisecond times and the listing order.
 */
export function describeSessionStoreCases(name: string, createStore: () => Promise<PrismaUserStore>): void {
  describe(`sessions and account administration: ${name}`, () => {
    let store: PrismaUserStore;
    beforeAll(async () => {
      store = await createStore();
    });

    const newUser = (): Promise<User> =>
      store.create({ email: `user-${randomUUID()}@example.com`, passwordHash: HASH });
    /** A time with a non-zero millisecond part, so a store that drops milliseconds fails. */
    const at = (offsetMs: number): Date => new Date(Math.floor(Date.now() / 1000) * 1000 + 123 + offsetMs);
    const newSession = async (userId: string, createdAt = at(0), expiresAt = at(HOUR)): Promise<StoredSession> => {
      const session = { id: randomUUID(), userId, createdAt, expiresAt };
      await store.createSession(session);
      return session;
    };

    it("finds a session with its user, times to the millisecond", async () => {
      const user = await newUser();
      const session = await newSession(user.id);
      const found = await store.findSession(session.id);
      expect(found).toEqual({ session, user });
      expect(found?.session.createdAt).toBeInstanceOf(Date);
      expect(found?.session.expiresAt.getTime()).toBe(session.expiresAt.getTime());
      expect(Object.keys(found?.user ?? {}).sort()).toEqual(["email", "emailVerified", "id", "isActive"]);
    });

    it("answers null for an unknown session id", async () => {
      expect(await store.findSession(randomUUID())).toBeNull();
      expect(await store.findSession("not-a-session")).toBeNull();
    });

    it("still finds an expired session: expiry is the core's decision", async () => {
      const user = await newUser();
      const session = await newSession(user.id, at(-2 * HOUR), at(-HOUR));
      expect(await store.findSession(session.id)).toEqual({ session, user });
    });

    it("rejects a session for a user that does not exist, and stores nothing", async () => {
      const id = randomUUID();
      await expect(
        store.createSession({ id, userId: randomUUID(), createdAt: at(0), expiresAt: at(HOUR) }),
      ).rejects.toThrow();
      expect(await store.findSession(id)).toBeNull();
    });

    it("creates 16 sessions for one user in parallel, and lists them all", async () => {
      const user = await newUser();
      const sessions = await Promise.all(Array.from({ length: 16 }, () => newSession(user.id)));
      const listed = await store.listSessions(user.id);
      expect(listed.map((session) => session.id).sort()).toEqual(sessions.map((session) => session.id).sort());
    });

    it("lists a user's sessions newest first, the id breaking ties within a millisecond", async () => {
      const user = await newUser();
      const other = await newUser();
      await newSession(other.id);
      const older = await newSession(user.id, at(-5_000));
      const sameMillisecond = await Promise.all([newSession(user.id), newSession(user.id), newSession(user.id)]);
      const expired = await newSession(user.id, at(-3 * HOUR), at(-2 * HOUR));
      const newest = await newSession(user.id, at(1_000));
      const tied = [...sameMillisecond].sort((a, b) => (a.id < b.id ? 1 : -1));
      expect(await store.listSessions(user.id)).toEqual([newest, ...tied, older, expired]);
      expect(await store.listSessions(randomUUID())).toEqual([]);
    });

    it("deletes a session only for its own user", async () => {
      const owner = await newUser();
      const stranger = await newUser();
      const session = await newSession(owner.id);
      expect(await store.deleteSession(session.id, stranger.id)).toBe(false);
      expect(await store.findSession(session.id)).not.toBeNull();
      expect(await store.deleteSession(session.id, owner.id)).toBe(true);
      expect(await store.findSession(session.id)).toBeNull();
      expect(await store.deleteSession(session.id, owner.id)).toBe(false);
    });

    it("deletes all of a user's sessions, or all but one, and no one else's", async () => {
      const user = await newUser();
      const other = await newUser();
      const kept = await newSession(user.id);
      await newSession(user.id);
      await newSession(user.id);
      const othersSession = await newSession(other.id);
      await store.deleteUserSessions(user.id, kept.id);
      expect(await store.listSessions(user.id)).toEqual([kept]);
      await store.deleteUserSessions(user.id);
      expect(await store.listSessions(user.id)).toEqual([]);
      expect(await store.listSessions(other.id)).toEqual([othersSession]);
    });

    it("deletes expired sessions, all of them or one user's, and counts them", async () => {
      const now = at(0);
      const user = await newUser();
      const other = await newUser();
      const live = await newSession(user.id, at(-HOUR), at(1));
      await newSession(user.id, at(-HOUR), now); // expiresAt == now counts as expired
      await newSession(user.id, at(-2 * HOUR), at(-HOUR));
      const othersExpired = await newSession(other.id, at(-2 * HOUR), at(-HOUR));
      expect(await store.deleteExpiredSessions(now, user.id)).toBe(2);
      expect(await store.listSessions(user.id)).toEqual([live]);
      expect(await store.listSessions(other.id)).toEqual([othersExpired]);
      // Without a user: every expired session in the table, other tests' included.
      expect(await store.deleteExpiredSessions(now)).toBeGreaterThanOrEqual(1);
      expect(await store.listSessions(other.id)).toEqual([]);
      expect(await store.listSessions(user.id)).toEqual([live]);
    });

    it("deactivates and reactivates a user; findSession shows the flag", async () => {
      const user = await newUser();
      const session = await newSession(user.id);
      await store.setActive(user.id, false);
      expect(await store.findSession(session.id)).toEqual({ session, user: { ...user, isActive: false } });
      expect(await store.findById(user.id)).toEqual({ ...user, isActive: false });
      await store.setActive(user.id, true);
      expect(await store.findSession(session.id)).toEqual({ session, user });
      await store.setActive(randomUUID(), false);
    });

    it("deletes a user and, through the foreign key, their sessions", async () => {
      const user = await newUser();
      const other = await newUser();
      const sessions = [await newSession(user.id), await newSession(user.id)];
      const othersSession = await newSession(other.id);
      await store.deleteUser(user.id);
      expect(await store.findById(user.id)).toBeNull();
      expect(await store.findByEmail(user.email)).toBeNull();
      for (const session of sessions) expect(await store.findSession(session.id)).toBeNull();
      expect(await store.listSessions(user.id)).toEqual([]);
      expect(await store.findSession(othersSession.id)).toEqual({ session: othersSession, user: other });
      await store.deleteUser(user.id);
      await store.deleteUser(randomUUID());
    });
  });
}
