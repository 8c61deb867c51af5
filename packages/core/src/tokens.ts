import type { KeyObject } from "node:crypto";
import { createSecretKey, randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import { hasAcceptableHeader } from "./token-header.js";

const ALGORITHM = "HS256";
/** Longer "tokens" are refused unread: ours are about 250 characters. */
const MAX_TOKEN_LENGTH = 4096;
/**
 * How many verified tokens are remembered (about 3 MB at most). When full, the token
 * remembered first is forgotten; it is verified again if it comes back.
 */
const VERIFIED_CACHE_SIZE = 10_000;

export interface TokenIssuerOptions {
  readonly secret: string;
  readonly issuer: string;
  readonly lifetimeSeconds: number;
}

/**
 * Signs and verifies auth101's JWTs. Claims: sub, iat, exp, iss, jti and nothing else.
 * Verification accepts exactly HS256 with our key and issuer, requires iat and exp, and refuses
 * headers with `crit` or key-locating parameters (see token-header.ts).
 */
export class TokenIssuer {
  // jsonwebtoken re-derives a key from a string secret on every call; a KeyObject is ~40× faster.
  readonly #key: KeyObject;
  readonly #issuer: string;
  readonly #lifetimeSeconds: number;
  /**
   * Tokens that passed every check, with their expiry. Verifying an HS256 JWT costs more than
   * the rest of a session request on a light framework; a token seen again only needs its
   * expiry re-checked. Only verified tokens enter, so the cache cannot be filled with junk.
   */
  readonly #verified = new Map<string, { readonly userId: string; readonly expiresAt: number }>();

  constructor(options: TokenIssuerOptions) {
    this.#key = createSecretKey(Buffer.from(options.secret, "utf8"));
    this.#issuer = options.issuer;
    this.#lifetimeSeconds = options.lifetimeSeconds;
  }

  /** How many verified tokens are remembered now (for tests and diagnostics). */
  get cachedTokens(): number {
    return this.#verified.size;
  }

  issue(userId: string): string {
    return jwt.sign({}, this.#key, {
      algorithm: ALGORITHM,
      subject: userId,
      issuer: this.#issuer,
      expiresIn: this.#lifetimeSeconds,
      jwtid: randomUUID(),
    });
  }

  /** The user id (`sub`) of a valid token, or `undefined` for any invalid one. */
  verify(token: string): string | undefined {
    const now = Math.floor(Date.now() / 1000);
    const remembered = this.#verified.get(token);
    if (remembered !== undefined) {
      if (now < remembered.expiresAt) return remembered.userId;
      this.#verified.delete(token);
      return undefined;
    }
    const verified = this.#verifySignature(token, now);
    if (verified === undefined) return undefined;
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.#verified.keys().next();
      if (oldest.done !== true) this.#verified.delete(oldest.value);
    }
    this.#verified.set(token, verified);
    return verified.userId;
  }

  #verifySignature(token: string, now: number): { readonly userId: string; readonly expiresAt: number } | undefined {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    if (!hasAcceptableHeader(token)) return undefined;
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.#key, { algorithms: [ALGORITHM], issuer: this.#issuer, clockTimestamp: now });
    } catch {
      return undefined;
    }
    if (typeof payload !== "object" || payload === null) return undefined;
    const { sub, iat, exp } = payload as Record<string, unknown>;
    if (typeof sub !== "string" || sub === "") return undefined;
    if (typeof exp !== "number" || typeof iat !== "number") return undefined;
    if (iat > now) return undefined;
    return { userId: sub, expiresAt: exp };
  }
}
