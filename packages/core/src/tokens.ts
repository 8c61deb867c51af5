import type { KeyObject } from "node:crypto";
import { createHash, createSecretKey, randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import { readAcceptableHeader } from "./token-header.js";

const ALGORITHM = "HS256";
/** An HS256 signature (32 bytes) in base64url: the last characters of every token we sign. */
const SIGNATURE_LENGTH = 43;
/** Longer "tokens" are refused unread: ours are about 250 characters. */
const MAX_TOKEN_LENGTH = 4096;
/**
 * How many verified tokens are remembered (about 3 MB at most). When full, the token
 * remembered first is forgotten; it is verified again if it comes back.
 */
const VERIFIED_CACHE_SIZE = 10_000;
/** Separates key ids from any other SHA-256 of a secret an app might compute. */
const KEY_ID_LABEL = "auth101 HS256 key id v1\0";
/**
 * The only tokens we sign: a compact JWS, three base64url parts, the last an HS256 signature.
 * Anything else is refused before it is decoded.
 */
const COMPACT_JWS = new RegExp(`^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{${SIGNATURE_LENGTH}}$`);
/** Our `jti`s are random UUIDs; anything else never reaches the store. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a signature check vouches for: whose token it is, which session it names, until when. */
export interface VerifiedToken {
  readonly userId: string;
  /** The `jti`: the id of the server-side session the token belongs to. */
  readonly sessionId: string;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
}

/** A token that passed every check, and what it says. */
interface RememberedToken {
  readonly token: string;
  readonly verified: VerifiedToken;
}

/** A freshly signed token and the session it names. */
export interface IssuedToken {
  readonly token: string;
  readonly sessionId: string;
  /** When the token was signed, to the millisecond (its `iat` is this, in whole seconds). */
  readonly issuedAt: Date;
  /** Its `exp`: the session ends then at the latest. */
  readonly expiresAt: Date;
}

/**
 * The verified-token cache's key: a small integer (which a Map hashes at no cost) from four
 * characters of the signature, 24 bits of the HMAC. The last character is left out: it holds
 * only 4 bits. Two remembered tokens that share a key take turns in the cache, each verified
 * again when it comes back; a hit still compares the whole token.
 */
export function cacheKeyOf(token: string): number {
  const end = token.length - 1;
  return (
    token.charCodeAt(end - 1) |
    (token.charCodeAt(end - 2) << 7) |
    (token.charCodeAt(end - 3) << 14) |
    (token.charCodeAt(end - 4) << 21)
  );
}

/** Whether a string is shaped like one of our session ids (a lower-case UUID). */
export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}

/**
 * The `kid` of the tokens a secret signs: the first 16 base64url characters (96 bits) of
 * SHA-256 over a fixed label and the secret. It names the secret without revealing it: the
 * hash cannot be inverted, and a guess at a weak secret is checked as cheaply against the
 * token's HMAC signature as against this.
 */
export function keyIdOf(secret: string): string {
  return createHash("sha256").update(KEY_ID_LABEL, "utf8").update(secret, "utf8").digest("base64url").slice(0, 16);
}

export interface TokenIssuerOptions {
  /** The secret that signs first; every one verifies the tokens it signed. */
  readonly secrets: readonly [string, ...string[]];
  readonly issuer: string;
  readonly lifetimeSeconds: number;
}

/**
 * Signs and verifies auth101's JWTs. Header: alg HS256, typ JWT and kid (which secret signed).
 * Claims: sub, iat, exp, iss, jti (the session id) and nothing else.
 * Verification accepts exactly HS256 with the key the `kid` names and our issuer, requires iat
 * and exp, and refuses headers with `crit` or key-locating parameters (see token-header.ts).
 * A token without `kid` was signed before rotation existed, when the app had one secret: it is
 * checked against the first secret only, so it lives until the first rotation and no longer.
 */
export class TokenIssuer {
  // jsonwebtoken re-derives a key from a string secret on every call; a KeyObject is ~40× faster.
  readonly #signingKey: KeyObject;
  readonly #signingKeyId: string;
  /** Every configured secret by its `kid`, computed once here: verification is a lookup. */
  readonly #keysById: ReadonlyMap<string, KeyObject>;
  readonly #issuer: string;
  readonly #lifetimeSeconds: number;
  /**
   * Tokens that passed every check, with their expiry. Verifying an HS256 JWT costs more than
   * the rest of a session request on a light framework; a token seen again only needs its
   * expiry re-checked. Only verified tokens enter, so the cache cannot be filled with junk.
   * It vouches for the signature only: whether the session still exists is asked every time.
   * It belongs to this issuer, whose secrets never change: an app that drops a secret builds
   * a new issuer (a new `Auth101`) with an empty cache, so no remembered token outlives its key.
   * Keyed by {@link cacheKeyOf}, a number read off the signature: a string key would be a
   * fresh string on every request, hashed every time. A hit still requires the whole token
   * to be the one remembered.
   */
  readonly #verified = new Map<number, RememberedToken>();

  constructor(options: TokenIssuerOptions) {
    const [signing, ...previous] = options.secrets;
    this.#signingKeyId = keyIdOf(signing);
    this.#signingKey = createSecretKey(Buffer.from(signing, "utf8"));
    const keysById = new Map([[this.#signingKeyId, this.#signingKey]]);
    for (const secret of previous) {
      const keyId = keyIdOf(secret);
      if (keysById.has(keyId)) throw new Error("auth101: two secrets share a key id; list each secret once");
      keysById.set(keyId, createSecretKey(Buffer.from(secret, "utf8")));
    }
    this.#keysById = keysById;
    this.#issuer = options.issuer;
    this.#lifetimeSeconds = options.lifetimeSeconds;
  }

  /** How many verified tokens are remembered now (for tests and diagnostics). */
  get cachedTokens(): number {
    return this.#verified.size;
  }

  issue(userId: string): IssuedToken {
    const issuedAt = new Date();
    const iat = Math.floor(issuedAt.getTime() / 1000);
    const exp = iat + this.#lifetimeSeconds;
    const sessionId = randomUUID();
    const token = jwt.sign({ iat, exp }, this.#signingKey, {
      algorithm: ALGORITHM,
      keyid: this.#signingKeyId,
      subject: userId,
      issuer: this.#issuer,
      jwtid: sessionId,
    });
    return { token, sessionId, issuedAt, expiresAt: new Date(exp * 1000) };
  }

  /** What a validly signed, unexpired token says, or `undefined` for any invalid one. */
  verify(token: string): VerifiedToken | undefined {
    const now = Math.floor(Date.now() / 1000);
    const key = cacheKeyOf(token);
    const remembered = this.#verified.get(key);
    if (remembered !== undefined && remembered.token === token) {
      if (now < remembered.verified.expiresAt) return remembered.verified;
      this.#verified.delete(key);
      return undefined;
    }
    const verified = this.#verifySignature(token, now);
    if (verified === undefined) return undefined;
    // A token remembered under the same key gives way, and the newest is always remembered last.
    this.#verified.delete(key);
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.#verified.keys().next();
      if (oldest.done !== true) this.#verified.delete(oldest.value);
    }
    this.#verified.set(key, { token, verified });
    return verified;
  }

  #verifySignature(token: string, now: number): VerifiedToken | undefined {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return undefined;
    const header = readAcceptableHeader(token);
    if (header === undefined) return undefined;
    // A kid-less token predates rotation: only the secret the app had then, still the first, may verify it.
    const key = this.#keysById.get(header.keyId ?? this.#signingKeyId);
    if (key === undefined) return undefined;
    let payload: unknown;
    try {
      payload = jwt.verify(token, key, { algorithms: [ALGORITHM], issuer: this.#issuer, clockTimestamp: now });
    } catch {
      return undefined;
    }
    if (typeof payload !== "object" || payload === null) return undefined;
    const { sub, iat, exp, jti } = payload as Record<string, unknown>;
    if (typeof sub !== "string" || sub === "") return undefined;
    if (typeof jti !== "string" || !isSessionId(jti)) return undefined;
    if (typeof exp !== "number" || typeof iat !== "number") return undefined;
    if (iat > now) return undefined;
    return { userId: sub, sessionId: jti, expiresAt: exp };
  }
}
