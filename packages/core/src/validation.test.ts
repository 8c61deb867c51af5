import { describe, expect, it, vi } from "vitest";
import { normalizeEmail, normalizePassword } from "./validation.js";

const policy = { minLength: 8, maxLength: 128 };
const codeOf = (result: object): string | undefined =>
  "error" in result ? (result as { error: { code: string } }).error.code : undefined;

describe("normalizeEmail", () => {
  it("trims and lower-cases", () => {
    expect(normalizeEmail("  Alice@Example.COM \n")).toEqual({ value: "alice@example.com" });
  });

  it.each([
    ["missing", undefined, "email is required"],
    ["null", null, "email is required"],
    ["empty", "", "email is required"],
    ["blank", "   ", "email is required"],
    ["a number", 42, "email must be a string"],
    ["an object", { email: "a@b.c" }, "email must be a string"],
    ["without @", "alice.example.com", "email must look like name@example.com"],
    ["with two @", "a@b@example.com", "email must look like name@example.com"],
    ["with nothing before @", "@example.com", "email must look like name@example.com"],
    ["with nothing after @", "alice@", "email must look like name@example.com"],
    ["with inner spaces", "al ice@example.com", "email must look like name@example.com"],
    ["with a control character", "al\u0000ice@example.com", "email must look like name@example.com"],
    ["with a domain starting with a dot", "alice@.example.com", "email must look like name@example.com"],
    ["with a domain ending with a dot", "alice@example.com.", "email must look like name@example.com"],
    ["with a 65-character local part", `${"a".repeat(65)}@example.com`, "email must look like name@example.com"],
  ])("refuses an email %s", (_, email, message) => {
    expect(normalizeEmail(email)).toEqual({ error: { code: "VALIDATION_ERROR", message } });
  });

  it("accepts 254 characters and refuses 255", () => {
    const local = "a".repeat(64);
    const at254 = `${local}@${"b".repeat(254 - 65 - 4)}.com`;
    expect(at254).toHaveLength(254);
    expect(normalizeEmail(at254)).toEqual({ value: at254 });
    expect(codeOf(normalizeEmail(`${local}@${"b".repeat(255 - 65 - 4)}.com`))).toBe("VALIDATION_ERROR");
  });

  it("refuses a lone surrogate, which has no UTF-8 form", () => {
    expect(normalizeEmail("lone\uD800@example.com")).toEqual({
      error: { code: "VALIDATION_ERROR", message: "email must be valid Unicode text" },
    });
    expect(normalizeEmail("emoji😀@example.com")).toEqual({ value: "emoji😀@example.com" });
  });

  it("accepts internationalized addresses", () => {
    expect(normalizeEmail("Zoë@Exämple.com")).toEqual({ value: "zoë@exämple.com" });
  });
});

describe("normalizePassword", () => {
  it("keeps surrounding spaces: passwords are never trimmed", () => {
    expect(normalizePassword("  spaced out  ", policy)).toEqual({ value: "  spaced out  " });
  });

  it("NFKC-normalizes, so the composed and decomposed forms are one password", () => {
    const composed = "caf\u00e9-au-lait";
    const decomposed = "cafe\u0301-au-lait";
    expect(normalizePassword(decomposed, policy)).toEqual({ value: composed });
    expect(normalizePassword("\uff30\uff41\uff53\uff53word1", policy)).toEqual({ value: "Password1" });
  });

  it("counts characters as code points, not UTF-16 units", () => {
    const sevenEmoji = "😀".repeat(7);
    expect(codeOf(normalizePassword(sevenEmoji, policy))).toBe("VALIDATION_ERROR");
    expect(normalizePassword("😀".repeat(8), policy)).toEqual({ value: "😀".repeat(8) });
    expect(normalizePassword("😀".repeat(128), policy)).toEqual({ value: "😀".repeat(128) });
    expect(codeOf(normalizePassword("😀".repeat(129), policy))).toBe("VALIDATION_ERROR");
  });

  it("enforces the configured bounds with messages that say them", () => {
    expect(normalizePassword("1234567", policy)).toEqual({
      error: { code: "VALIDATION_ERROR", message: "password must be at least 8 characters" },
    });
    expect(normalizePassword("x".repeat(129), policy)).toEqual({
      error: { code: "VALIDATION_ERROR", message: "password must be at most 128 characters" },
    });
    expect(normalizePassword("x".repeat(12), { minLength: 12, maxLength: 64 })).toEqual({ value: "x".repeat(12) });
    expect(codeOf(normalizePassword("x".repeat(11), { minLength: 12, maxLength: 64 }))).toBe("VALIDATION_ERROR");
  });

  it("refuses a huge input without normalizing it", () => {
    const normalize = vi.spyOn(String.prototype, "normalize");
    try {
      expect(codeOf(normalizePassword("x".repeat(10_000_000), policy))).toBe("VALIDATION_ERROR");
      expect(normalize).not.toHaveBeenCalled();
    } finally {
      normalize.mockRestore();
    }
  });

  it("refuses lone surrogates, so two different strings can never hash as one", () => {
    for (const password of ["password\uD800xyz", "password\uDBFFxyz", "\uDC00password"]) {
      expect(normalizePassword(password, policy)).toEqual({
        error: { code: "VALIDATION_ERROR", message: "password must be valid Unicode text" },
      });
    }
    expect(normalizePassword("password\uFFFDxyz", policy)).toEqual({ value: "password\uFFFDxyz" });
  });

  it("accepts any characters, with no composition rules", () => {
    expect(normalizePassword("aaaaaaaa", policy)).toEqual({ value: "aaaaaaaa" });
    expect(normalizePassword("密码密码密码密码", policy)).toEqual({ value: "密码密码密码密码" });
    expect(normalizePassword("tab\there\nnewline", policy)).toEqual({ value: "tab\there\nnewline" });
  });

  it.each([
    [undefined, "password is required"],
    [null, "password is required"],
    [12345678, "password must be a string"],
    [["password"], "password must be a string"],
  ])("refuses %j", (password, message) => {
    expect(normalizePassword(password, policy)).toEqual({ error: { code: "VALIDATION_ERROR", message } });
  });
});
