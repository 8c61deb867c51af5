import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { expect } from "vitest";
import type { Auth101 } from "../auth101.js";
import type { ErrorCode } from "../errors.js";
import type { Auth101Options } from "../options.js";
import { ERROR_CODES } from "../errors.js";
import type { User } from "../user.js";
import type { NewUser, StoredOneTimeToken, StoredUser, UserStore } from "../user-store.js";

/** A server an integration started for the suites: the four endpoints at `prefix`, and `GET /protected`. */
export interface ConformanceServer {
  /** Base URL such as `http://127.0.0.1:41234`, without a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts a server the way a user of the integration would: the four auth endpoints mounted at
 * `prefix` (e.g. `/auth`), and `GET /protected` (outside the prefix) behind the integration's
 * "require a signed-in user" guard, answering 200 `{ id, email }` from the `User` it was given.
 * Anything else answers 404. Listen on 127.0.0.1, port 0.
 */
export type StartConformanceServer = (options: {
  /** The instance to serve: the suite keeps its store and checks what it did. */
  readonly auth: Auth101;
  /**
   * The options `auth` was built from, for an integration that builds its own instance from
   * options (e.g. NestJS's `Auth101Module.forRoot`): with the same store, secret and issuer
   * it behaves as `auth` does.
   */
  readonly authOptions: Auth101Options;
  readonly prefix: string;
}) => Promise<ConformanceServer>;

export const PROTECTED_PATH = "/protected";

export interface HttpExchange {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Send the body with `Transfer-Encoding: chunked` instead of a `Content-Length`. */
  readonly chunked?: boolean;
}

export interface HttpAnswer {
  readonly status: number;
  /** Lower-cased header names, as Node reports them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
}

const ANSWER_TIMEOUT_MS = 10_000;

/**
 * One request on a fresh connection, with exactly the headers given (plus Host and the
 * body framing Node adds). Rejects when the server gives no complete answer in time:
 * a hang is a failure too.
 */
export function sendHttp(baseUrl: string, exchange: HttpExchange): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  const body = exchange.body === undefined ? undefined : toBuffer(exchange.body);
  const headers: Record<string, string> = { ...exchange.headers };
  if (body !== undefined && !exchange.chunked && !hasHeader(headers, "content-length")) {
    headers["content-length"] = String(body.length);
  }
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: exchange.method,
        path: exchange.path,
        headers,
        agent: false,
        timeout: ANSWER_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: response.statusCode ?? 0,
            headers: flatHeaders(response.headers),
            text,
            json: parseJson(text),
          });
        });
      },
    );
    request.on("timeout", () => {
      request.destroy(new Error(`${exchange.method} ${exchange.path}: no answer within ${ANSWER_TIMEOUT_MS} ms`));
    });
    // A server may answer (413, 415, 405, 401) before reading the whole body and close the
    // connection; the answer still arrives, so an error while writing is not a failure.
    request.on("error", reject);
    if (body === undefined) {
      request.end();
    } else if (exchange.chunked) {
      const pieceSize = 16 * 1024;
      for (let offset = 0; offset < body.length; offset += pieceSize)
        request.write(body.subarray(offset, offset + pieceSize));
      request.end();
    } else {
      request.end(body);
    }
  });
}

function toBuffer(body: string | Uint8Array): Buffer {
  return typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function flatHeaders(headers: NodeJS.Dict<string | string[]>): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  return flat;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A random secret that passes the core's checks. */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function uniqueEmail(label: string): string {
  return `${label}-${randomUUID()}@example.com`;
}

export const GOOD_PASSWORD = "correct horse battery staple";

export function jsonPost(path: string, body: unknown, headers: Record<string, string> = {}): HttpExchange {
  return {
    method: "POST",
    path,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

// ---------------------------------------------------------------------------------------------
// Tokens crafted outside the core, the way an attacker or a clock would make them.

export interface TokenClaims {
  readonly sub?: unknown;
  readonly iat?: unknown;
  readonly exp?: unknown;
  readonly nbf?: unknown;
  readonly iss?: unknown;
  readonly jti?: unknown;
}

export const ISSUER = "auth101";

/** Claims of a well-formed token for `userId`, valid for an hour. */
export function validClaims(userId: string): TokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return { sub: userId, iat: now - 10, exp: now + 3600, iss: ISSUER, jti: randomUUID() };
}

const HMAC_OF_ALGORITHM = { HS256: "sha256", HS384: "sha384", HS512: "sha512" } as const;

/**
 * A JWT signed by hand with `secret`, carrying exactly the claims given (an `undefined`
 * claim is left out): jsonwebtoken's own `sign` refuses or rewrites the odd ones we need.
 */
export function signedToken(
  secret: string,
  claims: TokenClaims,
  algorithm: keyof typeof HMAC_OF_ALGORITHM = "HS256",
): string {
  const signingInput = `${base64url({ alg: algorithm, typ: "JWT" })}.${base64url(claims)}`;
  return `${signingInput}.${createHmac(HMAC_OF_ALGORITHM[algorithm], secret).update(signingInput).digest("base64url")}`;
}

/** `alg: none`, no signature: what a forger sends. */
export function unsignedToken(claims: TokenClaims): string {
  return `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
}

/** A token whose payload was edited after signing, keeping the original signature. */
export function tamperedToken(secret: string, claims: TokenClaims, edit: TokenClaims): string {
  const [header, , signature] = signedToken(secret, claims).split(".");
  return `${header}.${base64url({ ...claims, ...edit })}.${signature}`;
}

/** HS256 by hand, so the header can say anything (e.g. `typ` missing or an extra `kid`). */
export function hs256WithHeader(secret: string, header: Record<string, unknown>, claims: TokenClaims): string {
  const signingInput = `${base64url(header)}.${base64url(claims)}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

// ---------------------------------------------------------------------------------------------
// Stores that misbehave.

/** A store whose database is down: every call rejects. */
export class FailingStore implements UserStore {
  static readonly MESSAGE = "connect ECONNREFUSED 10.0.0.1:5432 (secret-db-host)";

  async findById(): Promise<User | null> {
    throw new Error(FailingStore.MESSAGE);
  }

  async findByEmail(): Promise<StoredUser | null> {
    throw new Error(FailingStore.MESSAGE);
  }

  async create(_user: NewUser): Promise<User> {
    throw new Error(FailingStore.MESSAGE);
  }

  async updatePasswordHash(): Promise<void> {
    throw new Error(FailingStore.MESSAGE);
  }

  async replaceOneTimeToken(): Promise<void> {
    throw new Error(FailingStore.MESSAGE);
  }

  async consumeOneTimeToken(): Promise<StoredOneTimeToken | null> {
    throw new Error(FailingStore.MESSAGE);
  }

  async deleteOneTimeTokens(): Promise<void> {
    throw new Error(FailingStore.MESSAGE);
  }

  async markEmailVerified(): Promise<boolean> {
    throw new Error(FailingStore.MESSAGE);
  }
}

/** A buggy store that resolves `undefined` where it owes a user: the core must answer 500, not crash. */
export class BrokenStore implements UserStore {
  async findById(): Promise<User | null> {
    return undefined as unknown as User | null;
  }

  async findByEmail(): Promise<StoredUser | null> {
    return undefined as unknown as StoredUser | null;
  }

  async create(_user: NewUser): Promise<User> {
    return undefined as unknown as User;
  }

  async updatePasswordHash(): Promise<void> {}

  async replaceOneTimeToken(): Promise<void> {}

  async consumeOneTimeToken(): Promise<StoredOneTimeToken | null> {
    return undefined as unknown as StoredOneTimeToken | null;
  }

  async deleteOneTimeTokens(): Promise<void> {}

  async markEmailVerified(): Promise<boolean> {
    return undefined as unknown as boolean;
  }
}

// ---------------------------------------------------------------------------------------------
// What every answer must look like.

/** Statuses an auth endpoint may answer with, and the codes each may carry. */
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
