import { createHash } from "node:crypto";
import type { RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";

/** At most `attempts` within `windowSeconds`; the window starts with the first attempt. */
export interface LimitRule {
  readonly attempts: number;
  readonly windowSeconds: number;
}

/**
 * A Redis client the counters can live in, shared by every instance of the app: an ioredis
 * client, or a connected node-redis v4+ client. auth101 only passes it to
 * rate-limiter-flexible, which runs its atomic Lua counters on it.
 */
export type RedisClientLike = object;

export interface RateLimitOptions {
  /** Default: counters in this process's memory. */
  readonly redis?: RedisClientLike;
  /** Sign-in attempts per account (normalized email), known or not. Default 10 per 15 minutes. */
  readonly signInPerAccount?: LimitRule;
  /** Sign-in attempts per client address, successful ones not counted. Default 100 per 15 minutes. */
  readonly signInPerAddress?: LimitRule;
  /** Sign-ups per client address. Default 20 per hour. */
  readonly signUpPerAddress?: LimitRule;
  /** Password-reset requests per email, registered or not. Default 5 per hour. */
  readonly passwordResetPerEmail?: LimitRule;
  /** Password-reset requests per client address. Default 20 per hour. */
  readonly passwordResetPerAddress?: LimitRule;
  /** Verification-email requests per email, registered or not. Default 5 per hour. */
  readonly verificationEmailPerEmail?: LimitRule;
  /** Verification-email requests per client address. Default 20 per hour. */
  readonly verificationEmailPerAddress?: LimitRule;
}

export const RATE_LIMIT_DEFAULTS = {
  signInPerAccount: { attempts: 10, windowSeconds: 15 * 60 },
  signInPerAddress: { attempts: 100, windowSeconds: 15 * 60 },
  signUpPerAddress: { attempts: 20, windowSeconds: 60 * 60 },
  passwordResetPerEmail: { attempts: 5, windowSeconds: 60 * 60 },
  passwordResetPerAddress: { attempts: 20, windowSeconds: 60 * 60 },
  verificationEmailPerEmail: { attempts: 5, windowSeconds: 60 * 60 },
  verificationEmailPerAddress: { attempts: 20, windowSeconds: 60 * 60 },
} as const satisfies Record<string, LimitRule>;

export interface ResolvedRateLimits {
  readonly redis: RedisClientLike | undefined;
  readonly signInPerAccount: LimitRule;
  readonly signInPerAddress: LimitRule;
  readonly signUpPerAddress: LimitRule;
  readonly passwordResetPerEmail: LimitRule;
  readonly passwordResetPerAddress: LimitRule;
  readonly verificationEmailPerEmail: LimitRule;
  readonly verificationEmailPerAddress: LimitRule;
}

/** The emails a user can ask auth101 to send: each throttled per email and per address. */
export type EmailRequest = "passwordReset" | "verificationEmail";

/** Seconds the caller must wait, when throttled. */
export type Throttle = { readonly retryAfterSeconds: number } | undefined;

/**
 * Brute-force protection. Every attempt is counted before any password hashing, atomically,
 * so a burst of parallel guesses cannot slip past the limit; a successful sign-in then
 * clears its account's counter and gives its address the attempt back.
 */
export class RateLimits {
  readonly #signInByAccount: RateLimiterAbstract;
  readonly #signInByAddress: RateLimiterAbstract;
  readonly #signUpByAddress: RateLimiterAbstract;
  readonly #emailRequests: Readonly<
    Record<EmailRequest, { readonly byEmail: RateLimiterAbstract; readonly byAddress: RateLimiterAbstract }>
  >;

  constructor(options: ResolvedRateLimits) {
    this.#signInByAccount = limiter("signin:account", options.signInPerAccount, options.redis);
    this.#signInByAddress = limiter("signin:address", options.signInPerAddress, options.redis);
    this.#signUpByAddress = limiter("signup:address", options.signUpPerAddress, options.redis);
    this.#emailRequests = {
      passwordReset: {
        byEmail: limiter("reset:email", options.passwordResetPerEmail, options.redis),
        byAddress: limiter("reset:address", options.passwordResetPerAddress, options.redis),
      },
      verificationEmail: {
        byEmail: limiter("verify:email", options.verificationEmailPerEmail, options.redis),
        byAddress: limiter("verify:address", options.verificationEmailPerAddress, options.redis),
      },
    };
  }

  async beginSignIn(email: string, clientAddress: string | undefined): Promise<Throttle> {
    const attempts = [consume(this.#signInByAccount, accountKey(email))];
    if (clientAddress !== undefined) attempts.push(consume(this.#signInByAddress, clientAddress));
    return longest(await Promise.all(attempts));
  }

  async signInSucceeded(email: string, clientAddress: string | undefined): Promise<void> {
    await Promise.all([
      this.#signInByAccount.delete(accountKey(email)),
      clientAddress === undefined ? undefined : this.#signInByAddress.reward(clientAddress, 1),
    ]);
  }

  async beginSignUp(clientAddress: string | undefined): Promise<Throttle> {
    if (clientAddress === undefined) return undefined;
    return consume(this.#signUpByAddress, clientAddress);
  }

  /** Counts a request for an email (known address or not, the same way). */
  async beginEmailRequest(kind: EmailRequest, email: string, clientAddress: string | undefined): Promise<Throttle> {
    const limiters = this.#emailRequests[kind];
    const attempts = [consume(limiters.byEmail, accountKey(email))];
    if (clientAddress !== undefined) attempts.push(consume(limiters.byAddress, clientAddress));
    return longest(await Promise.all(attempts));
  }

  /** A completed password reset proved the account's owner: failed sign-ins against it are forgotten. */
  async accountRecovered(email: string): Promise<void> {
    await this.#signInByAccount.delete(accountKey(email));
  }
}

function limiter(name: string, rule: LimitRule, redis: RedisClientLike | undefined): RateLimiterAbstract {
  const options = { keyPrefix: `auth101:${name}`, points: rule.attempts, duration: rule.windowSeconds };
  if (redis === undefined) return new RateLimiterMemory(options);
  // If Redis fails, counting goes on in memory rather than failing every sign-in.
  return new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) });
}

async function consume(limiter: RateLimiterAbstract, key: string): Promise<Throttle> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (rejection) {
    if (isLimitReached(rejection)) return { retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    throw rejection;
  }
}

function isLimitReached(rejection: unknown): rejection is RateLimiterRes {
  return (
    typeof rejection === "object" && rejection !== null && "msBeforeNext" in rejection && !(rejection instanceof Error)
  );
}

function longest(throttles: readonly Throttle[]): Throttle {
  let result: Throttle;
  for (const throttle of throttles) {
    if (throttle !== undefined && (result === undefined || throttle.retryAfterSeconds > result.retryAfterSeconds))
      result = throttle;
  }
  return result;
}

/** Counters are keyed by a digest, so a shared Redis never holds users' email addresses. */
function accountKey(email: string): string {
  return createHash("sha256").update(email).digest("base64url");
}
