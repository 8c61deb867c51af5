import { availableParallelism } from "node:os";
import { canonicalOrigin } from "./http/cookie-session.js";
import { errorCodes } from "./error-codes.js";
import { MemoryStore } from "./memory-store.js";
import type { LimitRule, RateLimitOptions, ResolvedRateLimits } from "./rate-limits.js";
import { DEFAULT_IPV6_PREFIX_LENGTH, DEFAULT_MAX_TRACKED_KEYS, RATE_LIMIT_DEFAULTS } from "./rate-limits.js";
import type { StoredHashLimits } from "./password-hasher.js";
import type { UserStore } from "./user-store.js";
import { missingUserStoreMethods } from "./user-store.js";
import { Auth101ConfigError } from "./errors.js";

/** Argon2id cost parameters. None may be below the OWASP minimum (m=19456 KiB, t=2, p=1). */
export interface HashingOptions {
  /** Memory in KiB. Default 19456 (19 MiB). */
  readonly memoryCost?: number;
  /** Passes over memory. Default 2. */
  readonly timeCost?: number;
  /** Lanes. Default 1. */
  readonly parallelism?: number;
  /**
   * The most work a stored hash may ask for: a hash above any of these is refused without
   * being verified (the sign-in answers INVALID_CREDENTIALS and `onFailure` gets an
   * UNSAFE_PASSWORD_HASH event), so a hostile or corrupt row cannot exhaust memory or CPU.
   * Defaults, far above real settings: memoryCost 1048576 KiB (1 GiB), timeCost 32,
   * parallelism 16, bcryptCost 16; each is raised to the configured Argon2 value if that is higher.
   */
  readonly storedHashLimits?: Partial<StoredHashLimits>;
  /**
   * Most password hashes and verifications running at once (per `Auth101`); more wait their
   * turn, first come first served. Each runs in one of as many worker threads: with more
   * hashes in flight than cores, the event loop waits for a core and every other request of
   * the process slows down during a sign-in storm. Default: the number of cores
   * (`os.availableParallelism()`). 1 to 1024.
   */
  readonly maxConcurrent?: number;
  /**
   * Nice value of the `maxConcurrent` worker threads that hash (Linux; ignored elsewhere).
   * Above 0 the kernel hands a core to the event loop first whenever it has a request to
   * answer, even beside other CPU-bound processes, while the hashes still take every cycle
   * nothing else wants; the price is sign-in throughput when the machine is busy (5 cost about
   * a quarter of it beside a busy process in the bench). Default 0, the event loop's priority.
   * 0 to 19.
   */
  readonly threadNice?: number;
}

export interface PasswordPolicyOptions {
  /** Fewest characters (Unicode code points after NFKC). Default 8; at least 8. */
  readonly minLength?: number;
  /** Most characters. Default 128; at least 64 (NIST SP 800-63B), at most 1024. */
  readonly maxLength?: number;
  /** Refuse passwords on a list of ~41,000 common ones at sign-up. Default true. */
  readonly rejectCommon?: boolean;
}

/**
 * Operational failures: the store failed or something unexpected happened (the client got
 * STORE_UNAVAILABLE or INTERNAL_ERROR), a stored password hash asked for more work than
 * `hashing.storedHashLimits` allows and was not verified (UNSAFE_PASSWORD_HASH; the client got
 * INVALID_CREDENTIALS), or an app's email sender threw or rejected (SEND_FAILED; the request had
 * been answered already and its answer did not change).
 */
export interface AuthFailureEvent {
  readonly code: "STORE_UNAVAILABLE" | "INTERNAL_ERROR" | "UNSAFE_PASSWORD_HASH" | "SEND_FAILED";
  readonly operation:
    | "signUp"
    | "signIn"
    | "signOut"
    | "signOutAll"
    | "getSession"
    | "verifyToken"
    | "listSessions"
    | "endSession"
    | "deactivateUser"
    | "reactivateUser"
    | "deleteUser"
    | "endUserSessions"
    | "pruneExpiredSessions"
    | "changePassword"
    | "requestPasswordReset"
    | "resetPassword"
    | "sendVerificationEmail"
    | "verifyEmail";
  readonly error: unknown;
}

/** What auth101 hands the app's sender: where to send, and the one-time token for the link. */
export interface AccountEmailMessage {
  /** The user's (normalized) email address. */
  readonly email: string;
  /** The one-time token, 43 URL-safe characters: put it in a link, never in a log. */
  readonly token: string;
  /** When the token stops working. */
  readonly expiresAt: Date;
}

/** Sends one email; a rejection goes to `onFailure` (the request was answered already). */
export type AccountEmailSender = (message: AccountEmailMessage) => Promise<void> | void;

export interface PasswordResetOptions {
  /** Sends the reset link; called for registered, active users only, after the request was answered. */
  readonly send: AccountEmailSender;
  /** Minutes a reset token works. Default 60; at most 1440 (a day). */
  readonly expiresIn?: number;
}

export interface EmailVerificationOptions {
  /** Sends the verification link; on sign-up, and on request for an unverified, active user. */
  readonly send: AccountEmailSender;
  /**
   * No sign-in before the email is verified: sign-up answers `{ user }` without a token, and
   * sign-in with the right password answers 403 EMAIL_NOT_VERIFIED. Default false.
   */
  readonly required?: boolean;
  /** Minutes a verification token works. Default 1440 (a day); at most 10080 (a week). */
  readonly expiresIn?: number;
}

export interface Auth101Options {
  /**
   * Signs the tokens (HS256): at least 32 bytes, random. Required. To rotate, give a list,
   * newest first: `[current, ...previous]`. The first signs every new token; each one verifies
   * the tokens it signed (a token's `kid` names its secret), so dropping a secret from the list
   * ends every session whose token it signed.
   */
  readonly secret: string | readonly [string, ...string[]];
  /** Where users live. Default: a new in-memory store (lost on restart). */
  readonly store?: UserStore;
  /** Token lifetime in minutes. Default 10080 (7 days); at most 525600 (a year). */
  readonly tokenExpiresIn?: number;
  /** The token's `iss` claim, checked on every verification. Default `"auth101"`. */
  readonly issuer?: string;
  readonly password?: PasswordPolicyOptions;
  readonly hashing?: HashingOptions;
  /**
   * Brute-force protection, on by default: failed sign-ins are throttled per account and
   * per client address, sign-ups per address. `false` turns it off (for example behind a
   * gateway that already does this).
   */
  readonly rateLimit?: RateLimitOptions | false;
  /** Turns on `POST /request-password-reset` and `POST /reset-password` (docs/http-api.md). */
  readonly passwordReset?: PasswordResetOptions;
  /** Turns on email verification: `POST /send-verification-email`, `POST /verify-email`, an email on sign-up. */
  readonly emailVerification?: EmailVerificationOptions;
  /**
   * Called when the store fails or something unexpected happens. Default: one line on
   * stderr naming the operation, the error's class and the driver's error codes found along
   * its causes (`ECONNREFUSED`, `P1001`, `ER_ACCESS_DENIED_ERROR`), never its message (which
   * may carry emails or SQL). Replace it to route the full error to your own logger.
   */
  readonly onFailure?: (event: AuthFailureEvent) => void;
  /**
   * Origins (`https://app.example.com`) whose pages may make cookie-authenticated requests
   * that change state, for browsers that send no `Sec-Fetch-Site` (see `docs/security.md`).
   * Default: the request's own origin, as its `Host` header names it. Set it when a proxy
   * rewrites `Host`; it then replaces the default, so list your own origin too.
   */
  readonly trustedOrigins?: readonly string[];
}

export interface ResolvedOptions {
  /** The signing secret first, then those that only verify. */
  readonly secrets: readonly [string, ...string[]];
  readonly store: UserStore;
  readonly tokenLifetimeSeconds: number;
  readonly issuer: string;
  readonly password: { readonly minLength: number; readonly maxLength: number; readonly rejectCommon: boolean };
  readonly rateLimit: ResolvedRateLimits | false;
  readonly passwordReset: { readonly send: AccountEmailSender; readonly lifetimeMs: number } | undefined;
  readonly emailVerification:
    | { readonly send: AccountEmailSender; readonly required: boolean; readonly lifetimeMs: number }
    | undefined;
  readonly hashing: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number };
  readonly storedHashLimits: StoredHashLimits;
  /** Most hashes and verifications in flight at once. */
  readonly maxConcurrentHashes: number;
  readonly hashThreadNice: number;
  readonly onFailure: (event: AuthFailureEvent) => void;
  /** Canonical origins, or `undefined` for the default (the request's own origin). */
  readonly trustedOrigins: readonly string[] | undefined;
}

export const DEFAULTS = {
  tokenExpiresIn: 60 * 24 * 7,
  issuer: "auth101",
  password: { minLength: 8, maxLength: 128 },
  hashing: { memoryCost: 19_456, timeCost: 2, parallelism: 1 },
  passwordResetExpiresIn: 60,
  emailVerificationExpiresIn: 60 * 24,
  storedHashLimits: { memoryCost: 1024 * 1024, timeCost: 32, parallelism: 16, bcryptCost: 16 },
  hashThreadNice: 0,
} as const;

export const MIN_SECRET_BYTES = 32;

const KNOWN_OPTIONS = new Set<string>([
  "secret",
  "store",
  "tokenExpiresIn",
  "issuer",
  "password",
  "hashing",
  "rateLimit",
  "passwordReset",
  "emailVerification",
  "onFailure",
  "trustedOrigins",
]);
const GENERATE_SECRET = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

export function resolveOptions(options: Auth101Options): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new Auth101ConfigError("new Auth101(options) needs an options object with at least { secret }");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new Auth101ConfigError(`unknown option "${key}". Known options: ${[...KNOWN_OPTIONS].join(", ")}`);
    }
  }
  return {
    secrets: checkSecrets(options.secret),
    store: checkStore(options.store),
    tokenLifetimeSeconds:
      integerIn("tokenExpiresIn (minutes)", options.tokenExpiresIn ?? DEFAULTS.tokenExpiresIn, 1, 525_600) * 60,
    issuer: checkIssuer(options.issuer ?? DEFAULTS.issuer),
    password: checkPasswordPolicy(options.password ?? {}),
    rateLimit: checkRateLimit(options.rateLimit ?? {}),
    passwordReset: checkPasswordReset(options.passwordReset),
    emailVerification: checkEmailVerification(options.emailVerification),
    ...checkHashing(options.hashing ?? {}),
    onFailure: checkFunction("onFailure", options.onFailure) ?? logFailure,
    trustedOrigins: checkTrustedOrigins(options.trustedOrigins),
  };
}

function checkHashing(
  hashing: HashingOptions,
): Pick<ResolvedOptions, "hashing" | "storedHashLimits" | "maxConcurrentHashes" | "hashThreadNice"> {
  const resolved = {
    memoryCost: integerIn(
      "hashing.memoryCost (KiB)",
      hashing.memoryCost ?? DEFAULTS.hashing.memoryCost,
      DEFAULTS.hashing.memoryCost,
      4 * 1024 * 1024,
    ),
    timeCost: integerIn(
      "hashing.timeCost",
      hashing.timeCost ?? DEFAULTS.hashing.timeCost,
      DEFAULTS.hashing.timeCost,
      100,
    ),
    parallelism: integerIn(
      "hashing.parallelism",
      hashing.parallelism ?? DEFAULTS.hashing.parallelism,
      DEFAULTS.hashing.parallelism,
      64,
    ),
  };
  const given = hashing.storedHashLimits ?? {};
  if (typeof given !== "object" || given === null) {
    throw new Auth101ConfigError("hashing.storedHashLimits must be an object");
  }
  // A limit below the configured cost would refuse auth101's own hashes.
  const limit = (name: keyof typeof resolved, max: number): number =>
    integerIn(
      `hashing.storedHashLimits.${name}`,
      given[name] ?? Math.max(DEFAULTS.storedHashLimits[name], resolved[name]),
      resolved[name],
      max,
    );
  return {
    hashing: resolved,
    storedHashLimits: {
      memoryCost: limit("memoryCost", 2 ** 32 - 1),
      timeCost: limit("timeCost", 2 ** 32 - 1),
      parallelism: limit("parallelism", 2 ** 24 - 1),
      bcryptCost: integerIn(
        "hashing.storedHashLimits.bcryptCost",
        given.bcryptCost ?? DEFAULTS.storedHashLimits.bcryptCost,
        4,
        31,
      ),
    },
    maxConcurrentHashes: integerIn("hashing.maxConcurrent", hashing.maxConcurrent ?? availableParallelism(), 1, 1024),
    hashThreadNice: integerIn("hashing.threadNice", hashing.threadNice ?? DEFAULTS.hashThreadNice, 0, 19),
  };
}

function checkTrustedOrigins(origins: unknown): readonly string[] | undefined {
  if (origins === undefined) return undefined;
  if (!Array.isArray(origins)) {
    throw new Auth101ConfigError('trustedOrigins must be an array of origins, e.g. ["https://app.example.com"]');
  }
  return Object.freeze(
    origins.map((origin: unknown) => {
      const canonical = typeof origin === "string" ? canonicalOrigin(origin) : undefined;
      if (canonical === undefined) {
        throw new Auth101ConfigError(
          `trustedOrigins: ${JSON.stringify(origin)} is not an origin; write scheme://host[:port] with nothing after it, e.g. "https://app.example.com"`,
        );
      }
      return canonical;
    }),
  );
}

function checkSecrets(secret: unknown): readonly [string, ...string[]] {
  if (!Array.isArray(secret)) return Object.freeze([checkSecret("secret", secret)] as const);
  if (secret.length === 0) {
    throw new Auth101ConfigError(
      "secret is an empty list. Give the secret that signs first, then the previous ones that still verify: { secret: [current, ...previous] }",
    );
  }
  const secrets = secret.map((value: unknown, index) => checkSecret(`secret[${index}]`, value));
  for (const [index, value] of secrets.entries()) {
    const first = secrets.indexOf(value);
    if (first !== index) {
      throw new Auth101ConfigError(`secret[${index}] repeats secret[${first}]; list each secret once`);
    }
  }
  return Object.freeze(secrets) as unknown as readonly [string, ...string[]];
}

/** One secret; `name` is `secret`, or `secret[1]` in a list. */
function checkSecret(name: string, secret: unknown): string {
  if (secret === undefined || secret === null || secret === "") {
    throw new Auth101ConfigError(
      name === "secret"
        ? `a secret is required to sign tokens. Generate one with\n  ${GENERATE_SECRET}\nand pass it as { secret: process.env.AUTH101_SECRET }`
        : `${name} is empty. Generate a secret with\n  ${GENERATE_SECRET}`,
    );
  }
  if (typeof secret !== "string") {
    throw new Auth101ConfigError(
      name === "secret" ? "secret must be a string, or a list of strings newest first" : `${name} must be a string`,
    );
  }
  const bytes = Buffer.byteLength(secret, "utf8");
  if (bytes < MIN_SECRET_BYTES) {
    throw new Auth101ConfigError(
      `${name} is ${bytes} bytes; HS256 needs at least ${MIN_SECRET_BYTES} (RFC 7518 §3.2). Generate one with\n  ${GENERATE_SECRET}`,
    );
  }
  if (new Set(secret).size < 8) {
    throw new Auth101ConfigError(`${name} is too repetitive to be random. Generate one with\n  ${GENERATE_SECRET}`);
  }
  return secret;
}

function checkStore(store: unknown): UserStore {
  if (store === undefined) return new MemoryStore();
  const missing = missingUserStoreMethods(store);
  if (missing.length > 0) {
    throw new Auth101ConfigError(
      `store does not implement the UserStore contract: missing ${missing.join(", ")}. ` +
        "Pass a store such as new MemoryStore() or PrismaUserStore from @auth101/store-prisma",
    );
  }
  return store as UserStore;
}

function checkIssuer(issuer: unknown): string {
  if (typeof issuer !== "string" || issuer.trim() === "" || issuer.length > 256) {
    throw new Auth101ConfigError("issuer must be a non-empty string of at most 256 characters");
  }
  return issuer;
}

function checkPasswordPolicy(policy: PasswordPolicyOptions): ResolvedOptions["password"] {
  const minLength = integerIn("password.minLength", policy.minLength ?? DEFAULTS.password.minLength, 8, 1024);
  const maxLength = integerIn("password.maxLength", policy.maxLength ?? DEFAULTS.password.maxLength, 64, 1024);
  if (minLength > maxLength) {
    throw new Auth101ConfigError(`password.minLength (${minLength}) is greater than password.maxLength (${maxLength})`);
  }
  const rejectCommon = policy.rejectCommon ?? true;
  if (typeof rejectCommon !== "boolean") throw new Auth101ConfigError("password.rejectCommon must be true or false");
  return { minLength, maxLength, rejectCommon };
}

function checkRateLimit(options: RateLimitOptions | false): ResolvedRateLimits | false {
  if (options === false) return false;
  if (typeof options !== "object" || options === null) {
    throw new Auth101ConfigError("rateLimit must be an options object, or false to turn brute-force protection off");
  }
  if (options.redis !== undefined && (typeof options.redis !== "object" || options.redis === null)) {
    throw new Auth101ConfigError("rateLimit.redis must be a connected ioredis or node-redis client");
  }
  const rule = (name: keyof typeof RATE_LIMIT_DEFAULTS): LimitRule => {
    const given = options[name] ?? RATE_LIMIT_DEFAULTS[name];
    return {
      attempts: integerIn(`rateLimit.${name}.attempts`, given.attempts, 1, 1_000_000),
      windowSeconds: integerIn(`rateLimit.${name}.windowSeconds`, given.windowSeconds, 1, 30 * 24 * 60 * 60),
    };
  };
  return {
    redis: options.redis,
    signInPerAccount: rule("signInPerAccount"),
    signInPerAddress: rule("signInPerAddress"),
    signUpPerAddress: rule("signUpPerAddress"),
    passwordResetPerEmail: rule("passwordResetPerEmail"),
    passwordResetPerAddress: rule("passwordResetPerAddress"),
    verificationEmailPerEmail: rule("verificationEmailPerEmail"),
    verificationEmailPerAddress: rule("verificationEmailPerAddress"),
    ipv6PrefixLength: integerIn(
      "rateLimit.ipv6PrefixLength",
      options.ipv6PrefixLength ?? DEFAULT_IPV6_PREFIX_LENGTH,
      1,
      128,
    ),
    maxTrackedKeys: integerIn(
      "rateLimit.maxTrackedKeys",
      options.maxTrackedKeys ?? DEFAULT_MAX_TRACKED_KEYS,
      1,
      100_000_000,
    ),
  };
}

function checkPasswordReset(options: PasswordResetOptions | undefined): ResolvedOptions["passwordReset"] {
  if (options === undefined) return undefined;
  const send = checkSender("passwordReset", options, ["send", "expiresIn"]);
  const minutes = integerIn(
    "passwordReset.expiresIn (minutes)",
    options.expiresIn ?? DEFAULTS.passwordResetExpiresIn,
    1,
    24 * 60,
  );
  return { send, lifetimeMs: minutes * 60_000 };
}

function checkEmailVerification(options: EmailVerificationOptions | undefined): ResolvedOptions["emailVerification"] {
  if (options === undefined) return undefined;
  const send = checkSender("emailVerification", options, ["send", "required", "expiresIn"]);
  const required = options.required ?? false;
  if (typeof required !== "boolean") throw new Auth101ConfigError("emailVerification.required must be true or false");
  const minutes = integerIn(
    "emailVerification.expiresIn (minutes)",
    options.expiresIn ?? DEFAULTS.emailVerificationExpiresIn,
    1,
    7 * 24 * 60,
  );
  return { send, required, lifetimeMs: minutes * 60_000 };
}

function checkSender(name: string, options: unknown, known: readonly string[]): AccountEmailSender {
  if (typeof options !== "object" || options === null) {
    throw new Auth101ConfigError(`${name} must be an object such as { send: async ({ email, token }) => { ... } }`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new Auth101ConfigError(`unknown option "${name}.${key}". Known: ${known.join(", ")}`);
    }
  }
  const { send } = options as { send?: unknown };
  if (typeof send !== "function") {
    throw new Auth101ConfigError(
      `${name}.send must be a function that emails the link, such as async ({ email, token }) => { ... }`,
    );
  }
  return send as AccountEmailSender;
}

function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Auth101ConfigError(`${name} must be a whole number from ${min} to ${max}; got ${String(value)}`);
  }
  return value;
}

function checkFunction<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new Auth101ConfigError(`${name} must be a function`);
  }
  return value;
}

/** The default `onFailure`: the error's class and its codes, never its message (see `errorCodes`). */
function logFailure(event: AuthFailureEvent): void {
  const kind = event.error instanceof Error ? event.error.name : typeof event.error;
  const codes = errorCodes(event.error);
  const details = codes.length === 0 ? kind : `${kind}: ${codes.join(", ")}`;
  console.error(`[auth101] ${event.operation} failed: ${event.code} (${details})`);
}
