import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredSession, User, UserStore } from "@auth101/core";
import { EmailTakenError } from "@auth101/core";
import { describeOneTimeTokenContract } from "./one-time-token-contract.js";

export interface UserStoreContractOptions {
  /** How many creates with one email race in the concurrency test (and sessions of one user in theirs). Default 16. */
  readonly concurrentCreates?: number;
  /** Called once after the suite, to close connections. */
  readonly teardown?: () => Promise<void> | void;
}

const HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

/**
 * The `UserStore` contract as a vitest suite. Call it in a test file with a function that
 * returns the store to test (set up against a real database for database stores):
 *
 * ```ts
 * describeUserStoreContract("MyStore", async () => new MyStore(url));
 * ```
 *
 * Every test uses fresh random emails, so the store may hold other data.
 */
export function describeUserStoreContract(
  name: string,
  createStore: () => UserStore | Promise<UserStore>,
  options: UserStoreContractOptions = {},
): void {
  const concurrentCreates = options.concurrentCreates ?? 16;

  describe(`UserStore contract: ${name}`, () => {
    let store: UserStore;
    const email = (): string => `user-${randomUUID()}@example.com`;

    beforeAll(async () => {
      store = await createStore();
    });
    afterAll(async () => {
      await options.teardown?.();
    });

    it("creates an active user and returns it without the hash", async () => {
      const address = email();
      const user = await store.create({ email: address, passwordHash: HASH });
      expect(user).toEqual({ id: expect.any(String), email: address, isActive: true, emailVerified: false });
      expect(user.id).not.toBe("");
      expect(Object.keys(user).sort()).toEqual(["email", "emailVerified", "id", "isActive"]);
    });

    it("gives every user a distinct id", async () => {
      const a = await store.create({ email: email(), passwordHash: HASH });
      const b = await store.create({ email: email(), passwordHash: HASH });
      expect(a.id).not.toBe(b.id);
    });

    it("finds a user by id, without the hash", async () => {
      const created = await store.create({ email: email(), passwordHash: HASH });
      const found = await store.findById(created.id);
      expect(found).toEqual(created);
      expect(found).not.toHaveProperty("passwordHash");
    });

    it("finds a user by email, with the hash", async () => {
      const address = email();
      const created = await store.create({ email: address, passwordHash: HASH });
      expect(await store.findByEmail(address)).toEqual({ ...created, passwordHash: HASH });
    });

    it("answers null for an unknown id or email", async () => {
      expect(await store.findById(randomUUID())).toBeNull();
      expect(await store.findById("not-an-id")).toBeNull();
      expect(await store.findByEmail(email())).toBeNull();
    });

    it("rejects a second user with the same email with EmailTakenError", async () => {
      const address = email();
      await store.create({ email: address, passwordHash: HASH });
      const duplicate = store.create({ email: address, passwordHash: "$argon2id$other" });
      await expect(duplicate).rejects.toSatisfy((error) => EmailTakenError.is(error));
      expect((await store.findByEmail(address))?.passwordHash).toBe(HASH);
    });

    it("treats emails that differ only in case as different keys (the core lower-cases them)", async () => {
      const address = email();
      await store.create({ email: address, passwordHash: HASH });
      expect(await store.findByEmail(address.toUpperCase())).toBeNull();
    });

    it(`lets exactly one of ${concurrentCreates} concurrent creates with one email win`, async () => {
      const address = email();
      const results = await Promise.allSettled(
        Array.from({ length: concurrentCreates }, (_, i) =>
          store.create({ email: address, passwordHash: `${HASH}${i}` }),
        ),
      );
      const winners = results.filter((result) => result.status === "fulfilled");
      const losers = results.filter((result) => result.status === "rejected");
      expect(winners).toHaveLength(1);
      expect(losers.every((result) => EmailTakenError.is(result.reason))).toBe(true);
      const stored = await store.findByEmail(address);
      expect(stored?.id).toBe(winners[0]?.value.id);
    });

    it("updates a password hash", async () => {
      const address = email();
      const created = await store.create({ email: address, passwordHash: HASH });
      await store.updatePasswordHash(created.id, "$argon2id$new-hash");
      expect((await store.findByEmail(address))?.passwordHash).toBe("$argon2id$new-hash");
    });

    it("updates only the named user's hash", async () => {
      const first = await store.create({ email: email(), passwordHash: HASH });
      const second = await store.create({ email: email(), passwordHash: HASH });
      await store.updatePasswordHash(first.id, "$argon2id$changed");
      expect((await store.findByEmail(second.email))?.passwordHash).toBe(HASH);
    });

    it("keeps long emails and hashes intact", async () => {
      const address = `${"a".repeat(64)}@${"b".repeat(180)}.example.com`;
      const longHash = `$argon2id$v=19$m=65536,t=3,p=4$${"s".repeat(64)}$${"h".repeat(200)}`;
      await store.create({ email: address, passwordHash: longHash });
      expect((await store.findByEmail(address))?.passwordHash).toBe(longHash);
    });

    it("keeps non-ASCII emails exactly", async () => {
      const address = `zoë-${randomUUID()}@exämple.com`;
      const created = await store.create({ email: address, passwordHash: HASH });
      expect((await store.findByEmail(address))?.email).toBe(address);
      expect((await store.findById(created.id))?.email).toBe(address);
    });

    describe("account administration", () => {
      it("deactivates and reactivates a user; an unknown id is a no-op", async () => {
        const user = await store.create({ email: email(), passwordHash: HASH });
        await store.setActive(user.id, false);
        expect(await store.findById(user.id)).toEqual({ ...user, isActive: false });
        expect((await store.findByEmail(user.email))?.isActive).toBe(false);
        await store.setActive(user.id, true);
        expect(await store.findById(user.id)).toEqual(user);
        await expect(store.setActive(randomUUID(), false)).resolves.toBeUndefined();
      });

      it("deletes a user, freeing the email; an unknown id is a no-op", async () => {
        const user = await store.create({ email: email(), passwordHash: HASH });
        const other = await store.create({ email: email(), passwordHash: HASH });
        await store.deleteUser(user.id);
        expect(await store.findById(user.id)).toBeNull();
        expect(await store.findByEmail(user.email)).toBeNull();
        expect(await store.findById(other.id)).toEqual(other);
        await expect(store.deleteUser(randomUUID())).resolves.toBeUndefined();
        expect((await store.create({ email: user.email, passwordHash: HASH })).email).toBe(user.email);
      });
    });

    describe("sessions", () => {
      const user = (): Promise<User> => store.create({ email: email(), passwordHash: HASH });
      const inAnHour = (): Date => new Date(Date.now() + 3_600_000);
      const session = (userId: string, times: Partial<Pick<StoredSession, "createdAt" | "expiresAt">> = {}) =>
        ({
          id: randomUUID(),
          userId,
          createdAt: times.createdAt ?? new Date(),
          expiresAt: times.expiresAt ?? inAnHour(),
        }) satisfies StoredSession;
      const ids = (sessions: readonly StoredSession[]): string[] => sessions.map(({ id }) => id);

      it("stores a session and finds it with its user, times to the millisecond", async () => {
        const owner = await user();
        const created = session(owner.id, {
          createdAt: new Date("2026-03-04T05:06:07.891Z"),
          expiresAt: new Date("2099-03-04T05:06:07.123Z"),
        });
        await store.createSession(created);
        const found = await store.findSession(created.id);
        expect(found).toEqual({ session: created, user: owner });
        expect(found?.session.createdAt.toISOString()).toBe("2026-03-04T05:06:07.891Z");
        expect(found?.session.expiresAt.toISOString()).toBe("2099-03-04T05:06:07.123Z");
        expect(found?.user).not.toHaveProperty("passwordHash");
      });

      it("answers null for an unknown session id", async () => {
        expect(await store.findSession(randomUUID())).toBeNull();
      });

      it("returns expired sessions too: expiry is the core's to judge", async () => {
        const owner = await user();
        const expired = session(owner.id, { expiresAt: new Date(Date.now() - 60_000) });
        await store.createSession(expired);
        expect((await store.findSession(expired.id))?.session).toEqual(expired);
      });

      it("finds a session of a deactivated user with isActive false, and true again once reactivated", async () => {
        const owner = await user();
        const created = session(owner.id);
        await store.createSession(created);
        await store.setActive(owner.id, false);
        expect(await store.findSession(created.id)).toEqual({ session: created, user: { ...owner, isActive: false } });
        await store.setActive(owner.id, true);
        expect(await store.findSession(created.id)).toEqual({ session: created, user: owner });
      });

      it("rejects a session for a user that does not exist, and keeps nothing of it", async () => {
        const orphan = session(randomUUID());
        await expect(store.createSession(orphan)).rejects.toBeDefined();
        expect(await store.findSession(orphan.id)).toBeNull();
        expect(await store.listSessions(orphan.userId)).toEqual([]);
      });

      it(`stores ${concurrentCreates} sessions of one user created at once, and lists them all`, async () => {
        const owner = await user();
        const created = Array.from({ length: concurrentCreates }, () => session(owner.id));
        const results = await Promise.allSettled(created.map((each) => store.createSession(each)));
        expect(results.filter((result) => result.status === "rejected")).toEqual([]);
        expect(ids(await store.listSessions(owner.id)).sort()).toEqual(ids(created).sort());
      });

      it("lists a user's sessions newest first, id descending within one millisecond, and only theirs", async () => {
        const owner = await user();
        const stranger = await user();
        const at = (iso: string): Date => new Date(iso);
        const oldest = session(owner.id, { createdAt: at("2026-01-01T00:00:00.001Z") });
        const newest = session(owner.id, { createdAt: at("2026-01-01T00:00:01.000Z") });
        const tied = [0, 1, 2].map(() => session(owner.id, { createdAt: at("2026-01-01T00:00:00.500Z") }));
        const expired = session(owner.id, {
          createdAt: at("2026-01-01T00:00:00.002Z"),
          expiresAt: at("2026-01-01T00:00:00.003Z"),
        });
        for (const each of [...tied, newest, expired, oldest, session(stranger.id)]) await store.createSession(each);
        const tiedNewestFirst = ids(tied).sort().reverse();
        expect(ids(await store.listSessions(owner.id))).toEqual([newest.id, ...tiedNewestFirst, expired.id, oldest.id]);
        expect(await store.listSessions(randomUUID())).toEqual([]);
      });

      it("deletes a session only for its own user, answering whether it did", async () => {
        const owner = await user();
        const stranger = await user();
        const created = session(owner.id);
        await store.createSession(created);
        expect(await store.deleteSession(created.id, stranger.id)).toBe(false);
        expect((await store.findSession(created.id))?.session).toEqual(created);
        expect(await store.deleteSession(created.id, owner.id)).toBe(true);
        expect(await store.findSession(created.id)).toBeNull();
        expect(await store.deleteSession(created.id, owner.id)).toBe(false);
        expect(await store.deleteSession(randomUUID(), owner.id)).toBe(false);
      });

      it("deletes every session of a user, or every one but exceptId, and no one else's", async () => {
        const owner = await user();
        const stranger = await user();
        const mine = [session(owner.id), session(owner.id), session(owner.id)];
        const theirs = session(stranger.id);
        for (const each of [...mine, theirs]) await store.createSession(each);
        const kept = mine[1] as StoredSession;
        await store.deleteUserSessions(owner.id, kept.id);
        expect(ids(await store.listSessions(owner.id))).toEqual([kept.id]);
        await store.deleteUserSessions(owner.id);
        expect(await store.listSessions(owner.id)).toEqual([]);
        expect(ids(await store.listSessions(stranger.id))).toEqual([theirs.id]);
        await expect(store.deleteUserSessions(randomUUID())).resolves.toBeUndefined();
      });

      it("deletes expired sessions (expiresAt <= now) of one user, saying how many", async () => {
        const owner = await user();
        const stranger = await user();
        const now = new Date();
        const gone = [
          session(owner.id, { expiresAt: new Date(now.getTime() - 60_000) }),
          session(owner.id, { expiresAt: new Date(now.getTime()) }),
        ];
        const live = session(owner.id, { expiresAt: new Date(now.getTime() + 1) });
        const strangers = session(stranger.id, { expiresAt: new Date(now.getTime() - 60_000) });
        for (const each of [...gone, live, strangers]) await store.createSession(each);
        expect(await store.deleteExpiredSessions(now, owner.id)).toBe(2);
        expect(ids(await store.listSessions(owner.id))).toEqual([live.id]);
        expect(ids(await store.listSessions(stranger.id))).toEqual([strangers.id]);
        expect(await store.deleteExpiredSessions(now, owner.id)).toBe(0);
      });

      it("deletes expired sessions of every user", async () => {
        const first = await user();
        const second = await user();
        // Long ago, so that other data in the store cannot be younger than `now`.
        const now = new Date("2000-01-02T00:00:00.000Z");
        const gone = [
          session(first.id, {
            createdAt: new Date("2000-01-01T00:00:00.000Z"),
            expiresAt: new Date("2000-01-01T12:00:00.000Z"),
          }),
          session(second.id, { createdAt: new Date("2000-01-01T00:00:00.000Z"), expiresAt: now }),
        ];
        const live = [
          session(first.id, {
            createdAt: new Date("2000-01-01T00:00:00.000Z"),
            expiresAt: new Date("2000-01-02T00:00:00.001Z"),
          }),
          session(second.id),
        ];
        for (const each of [...gone, ...live]) await store.createSession(each);
        expect(await store.deleteExpiredSessions(now)).toBeGreaterThanOrEqual(2);
        for (const each of gone) expect(await store.findSession(each.id)).toBeNull();
        for (const each of live) expect((await store.findSession(each.id))?.session).toEqual(each);
      });

      it("deletes a user's sessions with the user", async () => {
        const owner = await user();
        const stranger = await user();
        const mine = [session(owner.id), session(owner.id)];
        const theirs = session(stranger.id);
        for (const each of [...mine, theirs]) await store.createSession(each);
        await store.deleteUser(owner.id);
        for (const each of mine) expect(await store.findSession(each.id)).toBeNull();
        expect(await store.listSessions(owner.id)).toEqual([]);
        expect((await store.findSession(theirs.id))?.session).toEqual(theirs);
      });
    });
    describeOneTimeTokenContract(() => store, email, concurrentCreates);
  });
}
