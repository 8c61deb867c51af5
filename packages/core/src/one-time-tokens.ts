import { createHash, randomBytes } from "node:crypto";

/**
 * One-time tokens (password reset, email verification): 32 bytes from the CSPRNG, sent to the
 * user as 43 base64url characters. The store keeps only their SHA-256: a token this random
 * cannot be guessed from its digest, so a fast hash is enough (docs/security.md).
 */
export const ONE_TIME_TOKEN_BYTES = 32;

/** A fresh token to put in an email link. */
export function newOneTimeToken(): string {
  return randomBytes(ONE_TIME_TOKEN_BYTES).toString("base64url");
}

/**
 * What the store keys a token by: the hex SHA-256 of its UTF-8 bytes. Any string is hashed,
 * malformed or not, so a bad token costs what a good one does.
 */
export function hashOneTimeToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
