import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserStore } from "@auth101/core";
import { EmailTakenError } from "@auth101/core";
import { describeOneTimeTokenContract } from "./one-time-token-contract.js";

export interface UserStoreContractOptions {
  /** How many creates with one email race in the concurrency test. Default 16. */
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

    describeOneTimeTokenContract(() => store, email, concurrentCreates);
  });
}
