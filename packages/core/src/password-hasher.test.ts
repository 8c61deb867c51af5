import { hash as argon2Hash, parseOptions } from "@node-rs/argon2";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { describe, expect, it } from "vitest";
import { PasswordHasher } from "./password-hasher.js";

const OWASP = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const LIMITS = { memoryCost: 1024 * 1024, timeCost: 32, parallelism: 16, bcryptCost: 16 };
const THREADS = { maxConcurrent: 2, threadNice: 5 };
const hasher = new PasswordHasher(OWASP, LIMITS, THREADS);

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
    const stronger = new PasswordHasher({ memoryCost: 32_768, timeCost: 3, parallelism: 1 }, LIMITS, THREADS);
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
    await expect(hasher.verifyAgainstDummy("anything at all", "anything at all")).resolves.toBeUndefined();
  });

  it("verifies an imported Argon2 hash against the password as typed when NFKC changed it, and asks for a rehash", async () => {
    // argon2-cffi's defaults, as a Python app that never normalized would have stored them.
    const typed = "\uFB01nance-\uFF30\uFF41\uFF53\uFF53-2024!";
    const normalized = typed.normalize("NFKC");
    expect(normalized).toBe("finance-Pass-2024!");
    const imported = await argon2Hash(typed, { memoryCost: 65_536, timeCost: 3, parallelism: 4 });
    expect(await hasher.verify(imported, normalized, typed)).toEqual({ valid: true, needsRehash: true });
    expect(await hasher.verify(imported, "finance-Pass-2024?", "finance-Pass-2024?")).toEqual({
      valid: false,
      needsRehash: false,
    });
    // A hash of the normalized form still matches that form first, with no rehash.
    const ours = await hasher.hash(normalized);
    expect(await hasher.verify(ours, normalized, typed)).toEqual({ valid: true, needsRehash: false });
  });

  it("refuses, unverified, an Argon2 hash whose parameters exceed the limits, even for the right password", async () => {
    const strict = new PasswordHasher(
      OWASP,
      { memoryCost: 19_456, timeCost: 2, parallelism: 1, bcryptCost: 10 },
      THREADS,
    );
    const cases = [
      [{ memoryCost: 32_768, timeCost: 2, parallelism: 1 }, "Argon2 m=32768 is above 19456"],
      [{ memoryCost: 19_456, timeCost: 3, parallelism: 1 }, "Argon2 t=3 is above 2"],
      [{ memoryCost: 19_456, timeCost: 2, parallelism: 2 }, "Argon2 p=2 is above 1"],
    ] as const;
    for (const [parameters, reason] of cases) {
      const stored = await argon2Hash("pw-123456", parameters);
      expect(await hasher.verify(stored, "pw-123456", "pw-123456")).toMatchObject({ valid: true });
      expect(await strict.verify(stored, "pw-123456", "pw-123456")).toEqual({
        valid: false,
        needsRehash: false,
        unsafeParameters: reason,
      });
    }
  });

  it("refuses a hostile m=4294967295 hash without allocating its memory", async () => {
    const real = await hasher.hash("pw-123456");
    const hostile = real.replace("m=19456", "m=4294967295");
    const before = process.memoryUsage().rss;
    expect(await hasher.verify(hostile, "pw-123456", "pw-123456")).toEqual({
      valid: false,
      needsRehash: false,
      unsafeParameters: "Argon2 m=4294967295 is above 1048576",
    });
    // One dummy verification (19 MiB) at most, not 4 TiB.
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
  });

  it("refuses, unverified, a bcrypt hash whose cost exceeds the limit", async () => {
    const strict = new PasswordHasher(OWASP, { ...LIMITS, bcryptCost: 4 }, THREADS);
    const cost5 = await bcryptHash("imported-secret", 5);
    expect(await hasher.verify(cost5, "imported-secret", "imported-secret")).toMatchObject({ valid: true });
    expect(await strict.verify(cost5, "imported-secret", "imported-secret")).toEqual({
      valid: false,
      needsRehash: false,
      unsafeParameters: "bcrypt cost 5 is above 4",
    });
    // Cost 31 would be days of work; it is refused on its prefix.
    const cost31 = cost5.replace(/^\$2b\$05\$/, "$2b$31$");
    expect(await hasher.verify(cost31, "imported-secret", "imported-secret")).toMatchObject({
      valid: false,
      unsafeParameters: "bcrypt cost 31 is above 16",
    });
  });
});
