import { hash as argon2Hash, parseOptions } from "@node-rs/argon2";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { describe, expect, it } from "vitest";
import { PasswordHasher } from "./password-hasher.js";

const OWASP = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const hasher = new PasswordHasher(OWASP);

describe("PasswordHasher", () => {
  it("hashes with Argon2id and the configured parameters, salted", async () => {
    const first = await hasher.hash("correct horse");
    const second = await hasher.hash("correct horse");
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(first).not.toBe(second);
    expect(parseOptions(first)).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hasher.hash("correct horse");
    expect(await hasher.verify(stored, "correct horse", "correct horse")).toEqual({ valid: true, needsRehash: false });
    expect(await hasher.verify(stored, "correct horsE", "correct horsE")).toEqual({ valid: false, needsRehash: false });
  });

  it("asks for a rehash of Argon2 hashes weaker than configured, or not Argon2id", async () => {
    const weakMemory = await argon2Hash("pw-123456", { memoryCost: 8192, timeCost: 2, parallelism: 1 });
    const weakTime = await argon2Hash("pw-123456", { memoryCost: 19_456, timeCost: 1, parallelism: 1 });
    const argon2i = await argon2Hash("pw-123456", { ...OWASP, algorithm: 1 as never });
    for (const stored of [weakMemory, weakTime, argon2i]) {
      expect(await hasher.verify(stored, "pw-123456", "pw-123456")).toEqual({ valid: true, needsRehash: true });
      expect(await hasher.verify(stored, "pw-654321", "pw-654321")).toEqual({ valid: false, needsRehash: false });
    }
    const stronger = new PasswordHasher({ memoryCost: 32_768, timeCost: 3, parallelism: 1 });
    expect(await stronger.verify(await hasher.hash("pw-123456"), "pw-123456", "pw-123456")).toEqual({
      valid: true,
      needsRehash: true,
    });
    const strongerHash = await stronger.hash("pw-123456");
    expect(await hasher.verify(strongerHash, "pw-123456", "pw-123456")).toEqual({ valid: true, needsRehash: false });
  });

  it.each(["$2a$", "$2b$", "$2y$"])(
    "verifies imported bcrypt %s hashes and asks for a rehash when they match",
    async (prefix) => {
      const stored = (await bcryptHash("imported-secret", 4)).replace(/^\$2[aby]\$/, prefix);
      expect(await hasher.verify(stored, "imported-secret", "imported-secret")).toEqual({
        valid: true,
        needsRehash: true,
      });
      expect(await hasher.verify(stored, "imported-secreT", "imported-secreT")).toEqual({
        valid: false,
        needsRehash: false,
      });
    },
  );

  it("verifies bcrypt against the password as typed, since the old system hashed that", async () => {
    const typed = "cafe\u0301-password";
    const stored = await bcryptHash(typed, 4);
    expect((await hasher.verify(stored, typed.normalize("NFKC"), typed)).valid).toBe(true);
  });

  it("never lets a password over 72 bytes match a bcrypt hash on its first 72 bytes", async () => {
    const first72 = "a".repeat(72);
    const stored = await bcryptHash(first72, 4);
    expect((await hasher.verify(stored, first72, first72)).valid).toBe(true);
    const longer = `${first72}-and-more`;
    expect(await hasher.verify(stored, longer, longer)).toEqual({ valid: false, needsRehash: false });
    const multiByte = "é".repeat(37); // 37 characters, 74 bytes
    const storedMultiByte = await bcryptHash(multiByte, 4);
    expect((await hasher.verify(storedMultiByte, multiByte, multiByte)).valid).toBe(false);
  });

  it.each([
    ["empty", ""],
    ["garbage", "not a hash"],
    ["truncated argon2", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA"],
    ["argon2 with bad numbers", "$argon2id$v=19$m=x,t=2,p=1$c2FsdHNhbHQ$aGFzaA"],
    ["truncated bcrypt", "$2b$10$abc"],
    ["unknown scheme", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"],
  ])("treats a corrupt stored hash (%s) as a wrong password, not a crash", async (_, stored) => {
    expect(await hasher.verify(stored, "whatever-password", "whatever-password")).toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it("verifies against a dummy hash without throwing", async () => {
    await expect(hasher.verifyAgainstDummy("anything at all")).resolves.toBeUndefined();
  });
});
