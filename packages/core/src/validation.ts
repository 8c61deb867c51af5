import type { ErrorResult } from "./errors.js";
import { errorResult } from "./errors.js";

export const MAX_EMAIL_LENGTH = 254;

// One "@", something on each side, no whitespace or control characters, a dot-free or
// dotted domain that neither starts nor ends with a dot.
const EMAIL_SHAPE = /^[^\s@\p{Cc}]{1,64}@(?!\.)[^\s@\p{Cc}]+(?<!\.)$/u;

// A lone UTF-16 surrogate has no UTF-8 form: hashing would turn every one into U+FFFD (so
// "pw\uD800" and "pw\uDBFF" would be one password) and a database would mangle it in an email.
const LONE_SURROGATE = /\p{Surrogate}/u;

export type Checked<T> = { readonly value: T } | ErrorResult;

export function normalizeEmail(email: unknown): Checked<string> {
  if (email === undefined || email === null) return errorResult("VALIDATION_ERROR", "email is required");
  if (typeof email !== "string") return errorResult("VALIDATION_ERROR", "email must be a string");
  const normalized = email.trim().toLowerCase();
  if (normalized === "") return errorResult("VALIDATION_ERROR", "email is required");
  if (LONE_SURROGATE.test(normalized)) return errorResult("VALIDATION_ERROR", "email must be valid Unicode text");
  if (normalized.length > MAX_EMAIL_LENGTH) {
    return errorResult("VALIDATION_ERROR", `email must be at most ${MAX_EMAIL_LENGTH} characters`);
  }
  if (!EMAIL_SHAPE.test(normalized)) {
    return errorResult("VALIDATION_ERROR", "email must look like name@example.com");
  }
  return { value: normalized };
}

export interface PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;
}

/**
 * NFKC-normalizes a password and checks its length in code points. Never trims or
 * truncates. An input too long to possibly fit is refused before normalizing it.
 */
export function normalizePassword(password: unknown, policy: PasswordPolicy): Checked<string> {
  if (password === undefined || password === null) return errorResult("VALIDATION_ERROR", "password is required");
  if (typeof password !== "string") return errorResult("VALIDATION_ERROR", "password must be a string");
  const tooLong = errorResult("VALIDATION_ERROR", `password must be at most ${policy.maxLength} characters`);
  // A code point is at most two UTF-16 units; NFKC can expand a character up to 18-fold,
  // so only this generous pre-check is safe before normalizing.
  if (password.length > policy.maxLength * 2 * 18) return tooLong;
  if (LONE_SURROGATE.test(password)) return errorResult("VALIDATION_ERROR", "password must be valid Unicode text");
  const normalized = password.normalize("NFKC");
  const length = codePointLength(normalized);
  if (length > policy.maxLength) return tooLong;
  if (length < policy.minLength) {
    return errorResult("VALIDATION_ERROR", `password must be at least ${policy.minLength} characters`);
  }
  return { value: normalized };
}

function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}
