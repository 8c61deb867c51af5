import { createHash } from "node:crypto";
import type { RateLimiterRes } from "rate-limiter-flexible";
import { RateLimiterRedis } from "rate-limiter-flexible";
import type { Throttle } from "./bounded-counters.js";
import { BoundedCounters } from "./bounded-counters.js";
import { addressKey } from "./client-address.js";

export type { Throttle } from "./bounded-counters.js";

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
  /**
   * IPv6 clients are counted per network of this many leading bits: one host usually holds a
   * whole /64. Default 64; 128 counts each address. IPv4-mapped IPv6 counts as the IPv4 address.
   */
  readonly ipv6PrefixLength?: number;
  /**
   * The most keys each in-memory counter tracks (also the memory fallback when Redis fails).
   * Ended windows are dropped first; beyond that, a new key evicts the window that started
   * longest ago. Default 100000 (about 15 MB per counter at most).
   */
  readonly maxTrackedKeys?: number;
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

export const DEFAULT_IPV6_PREFIX_LENGTH = 64;
export const DEFAULT_MAX_TRACKED_KEYS = 100_000;

export interface ResolvedRateLimits {
  readonly redis: RedisClientLike | undefined;
  readonly signInPerAccount: LimitRule;
  readonly signInPerAddress: LimitRule;
  readonly signUpPerAddress: LimitRule;
  readonly passwordResetPerEmail: LimitRule;
  readonly passwordResetPerAddress: LimitRule;
  readonly verificationEmailPerEmail: LimitRule;
  readonly verificationEmailPerAddress: LimitRule;
  readonly ipv6PrefixLength: number;
  readonly maxTrackedKeys: number;
}

/** The emails a user can ask auth101 to send: each throttled per email and per address. */
export type EmailRequest = "passwordReset" | "verificationEmail";

/**
 * Brute-force protection. Every attempt is counted before any password hashing, atomically,
 * so a burst of parallel guesses cannot slip past the limit; a successful sign-in then
 * clears its account's counter and gives its address the attempt back. A sign-in is counted
 * against its address first: a throttled address creates no account counter, so one client
 * cannot fill memory with fresh emails.
 */
export class RateLimits {
  readonly #signInByAccount: Counter;
  readonly #signInByAddress: Counter;
  readonly #signUpByAddress: Counter;
  readonly #emailRequests: Readonly<Record<EmailRequest, { readonly byEmail: Counter; readonly byAddress: Counter }>>;
  readonly #ipv6PrefixLength: number;

  constructor(options: ResolvedRateLimits) {
    const counter = (name: string, rule: LimitRule): Counter =>
      options.redis === undefined
        ? new MemoryCounter(rule, options.maxTrackedKeys)
        : new RedisCounter(name, rule, options.redis, options.maxTrackedKeys);
    this.#signInByAccount = counter("signin:account", options.signInPerAccount);
    this.#signInByAddress = counter("signin:address", options.signInPerAddress);
    this.#signUpByAddress = counter("signup:address", options.signUpPerAddress);
    this.#emailRequests = {
      passwordReset: {
        byEmail: counter("reset:email", options.passwordResetPerEmail),
        byAddress: counter("reset:address", options.passwordResetPerAddress),
      },
      verificationEmail: {
        byEmail: counter("verify:email", options.verificationEmailPerEmail),
        byAddress: counter("verify:address", options.verificationEmailPerAddress),
      },
    };
    this.#ipv6PrefixLength = options.ipv6PrefixLength;
  }

  async beginSignIn(email: string, clientAddress: string | undefined): Promise<Throttle> {
    if (clientAddress !== undefined) {
      const throttle = await this.#signInByAddress.consume(this.#addressKey(clientAddress));
      if (throttle !== undefined) return throttle;
    }
    return this.#signInByAccount.consume(accountKey(email));
  }

  async signInSucceeded(email: string, clientAddress: string | undefined): Promise<void> {
    await Promise.all([
      this.#signInByAccount.forget(accountKey(email)),
      clientAddress === undefined ? undefined : this.#signInByAddress.refund(this.#addressKey(clientAddress)),
    ]);
  }

  async beginSignUp(clientAddress: string | undefined): Promise<Throttle> {
    if (clientAddress === undefined) return undefined;
    return this.#signUpByAddress.consume(this.#addressKey(clientAddress));
  }

  /**
   * Counts a request for an email, known address or not, the same way; the address first, so
   * a throttled address creates no counter for a fresh email.
   */
  async beginEmailRequest(kind: EmailRequest, email: string, clientAddress: string | undefined): Promise<Throttle> {
    const counters = this.#emailRequests[kind];
    if (clientAddress !== undefined) {
      const throttle = await counters.byAddress.consume(this.#addressKey(clientAddress));
      if (throttle !== undefined) return throttle;
    }
    return counters.byEmail.consume(accountKey(email));
  }

  /** A completed password reset proved the account's owner: failed sign-ins against it are forgotten. */
  async accountRecovered(email: string): Promise<void> {
    await this.#signInByAccount.forget(accountKey(email));
  }

  /** Keys tracked in memory by each counter (for tests and diagnostics). */
  trackedKeys(): {
    readonly signInByAccount: number;
    readonly signInByAddress: number;
    readonly signUpByAddress: number;
  } {
    return {
      signInByAccount: this.#signInByAccount.trackedKeys,
      signInByAddress: this.#signInByAddress.trackedKeys,
      signUpByAddress: this.#signUpByAddress.trackedKeys,
    };
  }

  #addressKey(clientAddress: string): string {
    return addressKey(clientAddress, this.#ipv6PrefixLength);
  }
}

interface Counter {
  consume(key: string): Promise<Throttle>;
  forget(key: string): Promise<void>;
  refund(key: string): Promise<void>;
  /** Keys held in this process's memory. */
  readonly trackedKeys: number;
}

class MemoryCounter implements Counter {
  readonly #counters: BoundedCounters;

  constructor(rule: LimitRule, maxKeys: number) {
    this.#counters = new BoundedCounters(rule, maxKeys);
  }

  get trackedKeys(): number {
    return this.#counters.size;
  }

  async consume(key: string): Promise<Throttle> {
    return this.#counters.consume(key);
  }

  async forget(key: string): Promise<void> {
    this.#counters.forget(key);
  }

  async refund(key: string): Promise<void> {
    this.#counters.refund(key);
  }
}

/** Atomic counters in Redis; if Redis fails, counting goes on in bounded memory rather than failing every sign-in. */
class RedisCounter implements Counter {
  readonly #redis: RateLimiterRedis;
  readonly #fallback: MemoryCounter;

  constructor(name: string, rule: LimitRule, redis: RedisClientLike, maxKeys: number) {
    this.#redis = new RateLimiterRedis({
      keyPrefix: `auth101:${name}`,
      points: rule.attempts,
      duration: rule.windowSeconds,
      storeClient: redis,
    });
    this.#fallback = new MemoryCounter(rule, maxKeys);
  }

  get trackedKeys(): number {
    return this.#fallback.trackedKeys;
  }

  async consume(key: string): Promise<Throttle> {
    try {
      await this.#redis.consume(key);
      return undefined;
    } catch (rejection) {
      if (isLimitReached(rejection)) {
        return { retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
      return this.#fallback.consume(key);
    }
  }

  async forget(key: string): Promise<void> {
    await this.#redis.delete(key).catch(() => this.#fallback.forget(key));
  }

  async refund(key: string): Promise<void> {
    await this.#redis.reward(key, 1).catch(() => this.#fallback.refund(key));
  }
}

function isLimitReached(rejection: unknown): rejection is RateLimiterRes {
  return (
    typeof rejection === "object" && rejection !== null && "msBeforeNext" in rejection && !(rejection instanceof Error)
  );
}

/** Counters are keyed by a digest, so a shared Redis never holds users' email addresses. */
function accountKey(email: string): string {
  return createHash("sha256").update(email).digest("base64url");
}
