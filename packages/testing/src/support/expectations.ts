// What every answer must look like.
import { expect } from "vitest";
import type { ErrorCode } from "@auth101/core";
import { ERROR_CODES } from "@auth101/core";
import type { HttpAnswer } from "./http-client.js";

/**
 * Statuses an auth endpoint may answer with, and the codes each may carry. Written here on
 * purpose rather than imported from the core's `HTTP_STATUS_BY_CODE`: the suite is an
 * independent oracle, so a wrong mapping in the handler cannot pass its own test.
 */
const STATUS_OF_CODE: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_ERROR: 400,
  USER_EXISTS: 409,
  INVALID_CREDENTIALS: 401,
  INVALID_TOKEN: 401,
  UNAUTHORIZED: 401,
  USER_NOT_FOUND: 401,
  RATE_LIMITED: 429,
  STORE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  INVALID_RESET_TOKEN: 400,
  INVALID_VERIFICATION_TOKEN: 400,
  EMAIL_NOT_VERIFIED: 403,
  FORBIDDEN: 403,
};

/** VALIDATION_ERROR also answers 405 (method), 413 (size) and 415 (content type). */
const VALIDATION_STATUSES = new Set([400, 405, 413, 415]);

export function statusFitsCode(status: number, code: ErrorCode): boolean {
  return code === "VALIDATION_ERROR" ? VALIDATION_STATUSES.has(status) : STATUS_OF_CODE[code] === status;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** Hash prefixes that must never reach a client. */
const HASH_MARKERS = ["$argon2", "$2a$", "$2b$", "$2y$", "passwordHash", "password_hash"];

/**
 * Every guarantee an error answer of the core carries, whatever the framework: the status, a
 * JSON content type, `Cache-Control: no-store`, exactly `{ error: { message, code } }`, and
 * `WWW-Authenticate: Bearer` on a 401 (with `error="invalid_token"` exactly when a token was
 * given and refused, RFC 6750 §3.1).
 */
export function expectErrorAnswer(answer: HttpAnswer, status: number, code: ErrorCode): void {
  const described = describeAnswer(answer);
  expect(answer.status, described).toBe(status);
  expectErrorEnvelope(answer);
  expect((answer.json as { error: { code: string } }).error.code, described).toBe(code);
}

/** The shape checks of {@link expectErrorAnswer}, for any error code the table allows at this status. */
export function expectErrorEnvelope(answer: HttpAnswer): void {
  const described = describeAnswer(answer);
  expect(answer.headers["content-type"], described).toMatch(/^application\/json\b/i);
  expect(answer.headers["cache-control"], described).toMatch(/\bno-store\b/);
  const body = answer.json as { error?: { message?: unknown; code?: unknown } } | undefined;
  expect(isPlainObject(body) ? Object.keys(body) : body, described).toEqual(["error"]);
  const error = body?.error;
  expect(isPlainObject(error) ? Object.keys(error).sort() : error, described).toEqual(["code", "message"]);
  expect(error?.message, described).toEqual(expect.any(String));
  expect((error?.message as string | undefined)?.length, described).toBeGreaterThan(0);
  const code = error?.code;
  expect(isErrorCode(code), `unknown error code in ${described}`).toBe(true);
  expect(statusFitsCode(answer.status, code as ErrorCode), `status does not fit the code: ${described}`).toBe(true);
  if (answer.status === 401) {
    const challenge = answer.headers["www-authenticate"];
    expect(challenge, described).toMatch(/^Bearer\b/);
    if (code === "INVALID_TOKEN" || code === "USER_NOT_FOUND") {
      expect(challenge, described).toMatch(/\berror="invalid_token"/);
    } else {
      expect(challenge, described).not.toMatch(/\berror=/);
    }
  }
  if (answer.status === 405) expect(answer.headers["allow"], described).toMatch(/^(GET|POST)$/);
  if (code === "RATE_LIMITED") expect(answer.headers["retry-after"], described).toMatch(/^\d+$/);
  expectNoSecrets(answer);
}

/** 200 `{ user, token }` with exactly those keys. Returns them. */
export function expectSessionCreated(answer: HttpAnswer, email: string): { user: PublicUserJson; token: string } {
  const described = describeAnswer(answer);
  expect(answer.status, described).toBe(200);
  expectSuccessHeaders(answer);
  const body = answer.json as { user: PublicUserJson; token: string };
  expect(Object.keys(body).sort(), described).toEqual(["token", "user"]);
  expectPublicUser(body.user, email, described);
  expect(body.token, described).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  return body;
}

/** 200 `{ user }` with exactly that key. */
export function expectSessionAnswer(answer: HttpAnswer, user: PublicUserJson): void {
  const described = describeAnswer(answer);
  expect(answer.status, described).toBe(200);
  expectSuccessHeaders(answer);
  expect(Object.keys(answer.json as object), described).toEqual(["user"]);
  expectPublicUser((answer.json as { user: PublicUserJson }).user, user.email, described);
  expect(answer.json, described).toEqual({ user });
}

export function expectSignedOut(answer: HttpAnswer): void {
  const described = describeAnswer(answer);
  expect(answer.status, described).toBe(200);
  expectSuccessHeaders(answer);
  expect(answer.text.trim(), described).toBe('{"success":true}');
}

export interface PublicUserJson {
  readonly id: string;
  readonly email: string;
  readonly is_active: boolean;
}

function expectPublicUser(user: unknown, email: string, described: string): void {
  expect(isPlainObject(user) ? Object.keys(user).sort() : user, described).toEqual(["email", "id", "is_active"]);
  const { id, email: actualEmail, is_active } = user as PublicUserJson;
  expect(id, described).toEqual(expect.any(String));
  expect(id.length, described).toBeGreaterThan(0);
  expect(actualEmail, described).toBe(email);
  expect(is_active, described).toBe(true);
}

function expectSuccessHeaders(answer: HttpAnswer): void {
  const described = describeAnswer(answer);
  expect(answer.headers["content-type"], described).toMatch(/^application\/json\b/i);
  expect(answer.headers["cache-control"], described).toMatch(/\bno-store\b/);
  expectNoSecrets(answer);
}

export function expectNoSecrets(answer: HttpAnswer): void {
  for (const marker of HASH_MARKERS) expect(answer.text, describeAnswer(answer)).not.toContain(marker);
  expect(answer.text, describeAnswer(answer)).not.toMatch(/\n\s+at /);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function describeAnswer(answer: HttpAnswer): string {
  const headers = ["content-type", "cache-control", "www-authenticate", "allow"]
    .filter((name) => answer.headers[name] !== undefined)
    .map((name) => `${name}: ${answer.headers[name]}`)
    .join("; ");
  const text = answer.text.length > 300 ? `${answer.text.slice(0, 300)}…` : answer.text;
  return `answer ${answer.status} [${headers}] ${text}`;
}
