import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { OneTimeTokenPurpose, StoredOneTimeToken, UserStore } from "@auth101/core";

const HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

/** A token as the core would store it: the SHA-256 of 32 random bytes. */
function tokenHash(): string {
  return createHash("sha256").update(randomBytes(32).toString("base64url")).digest("hex");
}

/**
 * The one-time-token and verified-flag part of the `UserStore` contract; runs inside
 * `describeUserStoreContract`, against its store.
 */
export function describeOneTimeTokenContract(store: () => UserStore, email: () => string, concurrency: number): void {
  const newUser = () => store().create({ email: email(), passwordHash: HASH });
  const tokenFor = (
    user: { readonly id: string; readonly email: string },
    purpose: OneTimeTokenPurpose,
  ): StoredOneTimeToken => ({
    tokenHash: tokenHash(),
    purpose,
    userId: user.id,
    email: user.email,
    // Milliseconds on purpose: the store must keep them.
    expiresAt: new Date(Date.now() + 3_600_000 + 123),
  });

  describe("one-time tokens and the verified flag", () => {
    it("creates users with their email not verified", async () => {
      const user = await newUser();
      expect(user.emailVerified).toBe(false);
      expect((await store().findById(user.id))?.emailVerified).toBe(false);
      expect((await store().findByEmail(user.email))?.emailVerified).toBe(false);
    });

    it("marks an email verified only while the user's email is still that email", async () => {
      const user = await newUser();
      expect(await store().markEmailVerified(user.id, `other-${user.email}`)).toBe(false);
      expect((await store().findById(user.id))?.emailVerified).toBe(false);

      expect(await store().markEmailVerified(user.id, user.email)).toBe(true);
      expect((await store().findById(user.id))?.emailVerified).toBe(true);
      expect((await store().findByEmail(user.email))?.emailVerified).toBe(true);
      // Idempotent.
      expect(await store().markEmailVerified(user.id, user.email)).toBe(true);
    });

    it("answers false when marking an unknown user verified", async () => {
      const other = await newUser();
      expect(await store().markEmailVerified(`${other.id.slice(0, -4)}0000`, other.email)).toBe(false);
      expect((await store().findById(other.id))?.emailVerified).toBe(false);
    });

    it("stores a token and hands it back, every field intact, exactly once", async () => {
      const user = await newUser();
      const token = tokenFor(user, "password-reset");
      await store().replaceOneTimeToken(token);
      expect(await store().consumeOneTimeToken(token.tokenHash, "password-reset")).toEqual(token);
      expect(await store().consumeOneTimeToken(token.tokenHash, "password-reset")).toBeNull();
    });

    it("answers null for an unknown hash", async () => {
      expect(await store().consumeOneTimeToken(tokenHash(), "password-reset")).toBeNull();
      expect(await store().consumeOneTimeToken(tokenHash(), "email-verification")).toBeNull();
    });

    it("does not hand a token out for another purpose, nor burn it", async () => {
      const user = await newUser();
      const token = tokenFor(user, "email-verification");
      await store().replaceOneTimeToken(token);
      expect(await store().consumeOneTimeToken(token.tokenHash, "password-reset")).toBeNull();
      expect(await store().consumeOneTimeToken(token.tokenHash, "email-verification")).toEqual(token);
    });

    it("keeps an expired token: expiry is the core's to check", async () => {
      const user = await newUser();
      const token = { ...tokenFor(user, "password-reset"), expiresAt: new Date(Date.now() - 60_000) };
      await store().replaceOneTimeToken(token);
      expect(await store().consumeOneTimeToken(token.tokenHash, "password-reset")).toEqual(token);
    });

    it("retires the user's older token of the same purpose, and nothing else", async () => {
      const user = await newUser();
      const other = await newUser();
      const older = tokenFor(user, "password-reset");
      const verification = tokenFor(user, "email-verification");
      const othersReset = tokenFor(other, "password-reset");
      for (const token of [older, verification, othersReset]) await store().replaceOneTimeToken(token);

      const newer = tokenFor(user, "password-reset");
      await store().replaceOneTimeToken(newer);

      expect(await store().consumeOneTimeToken(older.tokenHash, "password-reset")).toBeNull();
      expect(await store().consumeOneTimeToken(newer.tokenHash, "password-reset")).toEqual(newer);
      expect(await store().consumeOneTimeToken(verification.tokenHash, "email-verification")).toEqual(verification);
      expect(await store().consumeOneTimeToken(othersReset.tokenHash, "password-reset")).toEqual(othersReset);
    });

    it("deletes a user's tokens of one purpose, or of all", async () => {
      const user = await newUser();
      const other = await newUser();
      const reset = tokenFor(user, "password-reset");
      const verification = tokenFor(user, "email-verification");
      const othersReset = tokenFor(other, "password-reset");
      for (const token of [reset, verification, othersReset]) await store().replaceOneTimeToken(token);

      await store().deleteOneTimeTokens(user.id, "password-reset");
      expect(await store().consumeOneTimeToken(reset.tokenHash, "password-reset")).toBeNull();
      expect(await store().consumeOneTimeToken(verification.tokenHash, "email-verification")).toEqual(verification);

      const laterReset = tokenFor(user, "password-reset");
      const laterVerification = tokenFor(user, "email-verification");
      for (const token of [laterReset, laterVerification]) await store().replaceOneTimeToken(token);
      await store().deleteOneTimeTokens(user.id);
      expect(await store().consumeOneTimeToken(laterReset.tokenHash, "password-reset")).toBeNull();
      expect(await store().consumeOneTimeToken(laterVerification.tokenHash, "email-verification")).toBeNull();
      expect(await store().consumeOneTimeToken(othersReset.tokenHash, "password-reset")).toEqual(othersReset);
    });

    it("does nothing when deleting the tokens of a user who has none", async () => {
      const user = await newUser();
      await store().deleteOneTimeTokens(user.id);
      await store().deleteOneTimeTokens(user.id, "email-verification");
    });

    it(`hands a token to exactly one of ${concurrency} concurrent consumers`, async () => {
      const user = await newUser();
      const token = tokenFor(user, "password-reset");
      await store().replaceOneTimeToken(token);
      const results = await Promise.all(
        Array.from({ length: concurrency }, () => store().consumeOneTimeToken(token.tokenHash, "password-reset")),
      );
      const winners = results.filter((result) => result !== null);
      expect(winners).toEqual([token]);
    });

    it(`leaves exactly one token after ${concurrency} concurrent replacements for one user and purpose`, async () => {
      const user = await newUser();
      const tokens = Array.from({ length: concurrency }, () => tokenFor(user, "email-verification"));
      await Promise.all(tokens.map((token) => store().replaceOneTimeToken(token)));
      const left = await Promise.all(
        tokens.map((token) => store().consumeOneTimeToken(token.tokenHash, "email-verification")),
      );
      expect(left.filter((token) => token !== null)).toHaveLength(1);
    });
  });
}
