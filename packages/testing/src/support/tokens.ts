// Tokens crafted outside the core, the way an attacker or a clock would make them.
import { createHash, createHmac, randomUUID } from "node:crypto";
import { isPlainObject } from "./expectations.js";

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
 * The `kid` auth101 puts in the tokens `secret` signs, computed as docs/security.md describes
 * it: the first 16 base64url characters of SHA-256 over "auth101 HS256 key id v1", a NUL and
 * the secret.
 */
export function keyIdOf(secret: string): string {
  return createHash("sha256").update("auth101 HS256 key id v1\0").update(secret).digest("base64url").slice(0, 16);
}

/**
 * A JWT signed by hand with `secret`, carrying exactly the claims given (an `undefined`
 * claim is left out): jsonwebtoken's own `sign` refuses or rewrites the odd ones we need.
 * `header` adds parameters (a `kid`) to `{ alg, typ: "JWT" }`. Without a `kid` the token is
 * one from before rotation, which auth101 checks against its first secret only.
 */
export function signedToken(
  secret: string,
  claims: TokenClaims,
  algorithm: keyof typeof HMAC_OF_ALGORITHM = "HS256",
  header: Readonly<Record<string, unknown>> = {},
): string {
  const signingInput = `${base64url({ alg: algorithm, typ: "JWT", ...header })}.${base64url(claims)}`;
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

/** The core's rules for the claims of a token signed right with HS256 (docs/security.md, Tokens). */
export function claimsAreValid(claims: TokenClaims): boolean {
  const now = Math.floor(Date.now() / 1000);
  const { sub, iat, exp, nbf, iss } = claims;
  if (typeof sub !== "string" || sub === "") return false;
  if (typeof iat !== "number" || typeof exp !== "number" || iss !== ISSUER) return false;
  if (iat > now || exp <= now) return false;
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > now)) return false;
  return isPlainObject(claims);
}
