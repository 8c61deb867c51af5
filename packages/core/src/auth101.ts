import type { ErrorResult } from "./errors.js";
import { EmailTakenError, errorResult, StoreUnavailableError, UnsafePasswordHashError } from "./errors.js";
import type { Auth101Options, AuthFailureEvent, ResolvedOptions } from "./options.js";
import { resolveOptions } from "./options.js";
import { isCommonPassword } from "./common-passwords.js";
import { PasswordHasher } from "./password-hasher.js";
import type { Throttle } from "./rate-limits.js";
import { RateLimits } from "./rate-limits.js";
import { TokenIssuer } from "./tokens.js";
import type { PublicUser, User } from "./user.js";
import { toPublicUser } from "./user.js";
import type { UserStore } from "./user-store.js";
import { normalizeEmail, normalizePassword } from "./validation.js";

export type AuthResult = { readonly user: PublicUser; readonly token: string } | ErrorResult;
export type SignOutResult = { readonly success: true } | ErrorResult;
export type SessionResult = { readonly user: PublicUser } | ErrorResult;

type Operation = AuthFailureEvent["operation"];

/** What the caller knows about the request; integrations fill it in. */
export interface RequestContext {
  /** The client's IP address, as the framework resolved it (honouring its proxy settings). */
  readonly clientAddress?: string | undefined;
}

function rateLimited(throttle: NonNullable<Throttle>): ErrorResult {
  const { retryAfterSeconds } = throttle;
  return {
    ...errorResult("RATE_LIMITED", `Too many attempts; try again in ${retryAfterSeconds} seconds`),
    retryAfterSeconds,
  };
}

const INVALID_CREDENTIALS = errorResult("INVALID_CREDENTIALS", "Invalid email or password");
const INVALID_TOKEN = errorResult("INVALID_TOKEN", "Invalid or expired token");
const USER_NOT_FOUND = errorResult("USER_NOT_FOUND", "User not found");
const STORE_UNAVAILABLE = errorResult(
  "STORE_UNAVAILABLE",
  "The user store is unavailable; nothing was changed. Try again later",
);
/**
 * A failed INSERT may still have committed (the reply was lost, say, when the connection
 * reset after the commit), so a failed sign-up must not claim nothing changed. Signing in
 * with the same credentials tells the client which way it went (README, "Endpoints").
 */
const SIGN_UP_OUTCOME_UNKNOWN = errorResult(
  "STORE_UNAVAILABLE",
  "The user store failed while creating the account, so it may or may not exist. " +
    "Sign in with the same email and password; if that answers INVALID_CREDENTIALS, sign up again",
);

const trustedOriginsByInstance = new WeakMap<Auth101, readonly string[] | undefined>();

/** The instance's `trustedOrigins` option, for the core's HTTP layer only (not exported by the package). */
export function trustedOriginsOf(auth: Auth101): readonly string[] | undefined {
  return trustedOriginsByInstance.get(auth);
}

/**
 * Email/password authentication: sign-up, sign-in, sign-out and sessions over signed tokens.
 * Every method except `verifyToken` resolves to a JSON-ready result and never throws.
 */
/**
 * Each instance's `onFailure`, for the HTTP handler to report what fails around the service
 * (reading a body, say) the way the service reports its own failures. Kept off the class so
 * it is not public API.
 */
const failureReporters = new WeakMap<Auth101, (event: AuthFailureEvent) => void>();

/** Hands `event` to the `onFailure` of `auth`. */
export function reportFailure(auth: Auth101, event: AuthFailureEvent): void {
  failureReporters.get(auth)?.(event);
}

export class Auth101 {
  readonly #options: ResolvedOptions;
  readonly #store: UserStore;
  readonly #hasher: PasswordHasher;
  readonly #tokens: TokenIssuer;
  readonly #rateLimits: RateLimits | undefined;
  /** Sign-in checks only the maximum length, so users from before a stricter minimum still get in. */
  readonly #signInPasswordPolicy: { readonly minLength: number; readonly maxLength: number };

  constructor(options: Auth101Options) {
    this.#options = resolveOptions(options);
    failureReporters.set(this, this.#options.onFailure);
    this.#store = this.#options.store;
    this.#hasher = new PasswordHasher(this.#options.hashing, this.#options.storedHashLimits);
    this.#tokens = new TokenIssuer({
      secret: this.#options.secret,
      issuer: this.#options.issuer,
      lifetimeSeconds: this.#options.tokenLifetimeSeconds,
    });
    this.#signInPasswordPolicy = { minLength: 1, maxLength: this.#options.password.maxLength };
    this.#rateLimits = this.#options.rateLimit === false ? undefined : new RateLimits(this.#options.rateLimit);
    trustedOriginsByInstance.set(this, this.#options.trustedOrigins);
  }

  signUp(email: string, password: string, context: RequestContext = {}): Promise<AuthResult> {
    return this.#run("signUp", async () => {
      const checkedEmail = normalizeEmail(email);
      if ("error" in checkedEmail) return checkedEmail;
      const checkedPassword = normalizePassword(password, this.#options.password);
      if ("error" in checkedPassword) return checkedPassword;
      if (this.#options.password.rejectCommon && isCommonPassword(checkedPassword.value)) {
        return errorResult(
          "VALIDATION_ERROR",
          "password is too common: it appears on lists of frequently used passwords",
        );
      }
      const throttle = await this.#rateLimits?.beginSignUp(context.clientAddress);
      if (throttle !== undefined) return rateLimited(throttle);

      const passwordHash = await this.#hasher.hash(checkedPassword.value);
      let user: User;
      try {
        user = await this.#store.create({ email: checkedEmail.value, passwordHash });
      } catch (error) {
        if (EmailTakenError.is(error)) return errorResult("USER_EXISTS", "A user with this email already exists");
        this.#options.onFailure({ code: "STORE_UNAVAILABLE", operation: "signUp", error });
        return SIGN_UP_OUTCOME_UNKNOWN;
      }
      return this.#session(user);
    });
  }

  signIn(email: string, password: string, context: RequestContext = {}): Promise<AuthResult> {
    return this.#run("signIn", async () => {
      const checkedEmail = normalizeEmail(email);
      if ("error" in checkedEmail) return checkedEmail;
      const checkedPassword = normalizePassword(password, this.#signInPasswordPolicy);
      if ("error" in checkedPassword) return checkedPassword;
      const throttle = await this.#rateLimits?.beginSignIn(checkedEmail.value, context.clientAddress);
      if (throttle !== undefined) return rateLimited(throttle);

      const stored = await this.#fromStore(() => this.#store.findByEmail(checkedEmail.value));
      if (stored === null) {
        await this.#hasher.verifyAgainstDummy(checkedPassword.value, password);
        return INVALID_CREDENTIALS;
      }
      const check = await this.#hasher.verify(stored.passwordHash, checkedPassword.value, password);
      if (check.unsafeParameters !== undefined) {
        const error = new UnsafePasswordHashError(stored.id, check.unsafeParameters);
        this.#options.onFailure({ code: "UNSAFE_PASSWORD_HASH", operation: "signIn", error });
      }
      if (!check.valid || !stored.isActive) return INVALID_CREDENTIALS;
      await this.#rateLimits?.signInSucceeded(checkedEmail.value, context.clientAddress);
      if (check.needsRehash) await this.#upgradeHash(stored.id, checkedPassword.value);
      return this.#session({ id: stored.id, email: stored.email, isActive: stored.isActive });
    });
  }

  signOut(token: string): Promise<SignOutResult> {
    return this.#run("signOut", async () => {
      if (this.#userIdOf(token) === undefined) return INVALID_TOKEN;
      return { success: true } as const;
    });
  }

  getSession(token: string): Promise<SessionResult> {
    return this.#run("getSession", async () => {
      const session = await this.#sessionUser(token);
      return "error" in session ? session : { user: toPublicUser(session.user) };
    });
  }

  /**
   * The signed-in, active user a token belongs to, or `null` for an invalid or expired token
   * or a user who is gone or deactivated. Rejects with {@link StoreUnavailableError} when the
   * store fails, so an outage is never mistaken for a bad token.
   */
  async verifyToken(token: string): Promise<User | null> {
    try {
      const session = await this.#sessionUser(token);
      return "error" in session ? null : session.user;
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        this.#options.onFailure({ code: "STORE_UNAVAILABLE", operation: "verifyToken", error: error.cause });
      }
      throw error;
    }
  }

  #userIdOf(token: unknown): string | undefined {
    return typeof token === "string" ? this.#tokens.verify(token) : undefined;
  }

  /** The active user behind a token, shared by getSession and verifyToken; store failures throw. */
  async #sessionUser(token: unknown): Promise<{ readonly user: User } | ErrorResult> {
    const userId = this.#userIdOf(token);
    if (userId === undefined) return INVALID_TOKEN;
    const user = await this.#fromStore(() => this.#store.findById(userId));
    if (user === null || !user.isActive) return USER_NOT_FOUND;
    return { user: { id: user.id, email: user.email, isActive: user.isActive } };
  }

  #session(user: User): { user: PublicUser; token: string } {
    return { user: toPublicUser(user), token: this.#tokens.issue(user.id) };
  }

  async #upgradeHash(userId: string, password: string): Promise<void> {
    try {
      await this.#store.updatePasswordHash(userId, await this.#hasher.hash(password));
    } catch (error) {
      // The sign-in itself succeeded; the upgrade is tried again on the next one.
      this.#options.onFailure({ code: "STORE_UNAVAILABLE", operation: "signIn", error });
    }
  }

  async #fromStore<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw new StoreUnavailableError({ cause: error });
    }
  }

  async #run<T>(operation: Operation, body: () => Promise<T | ErrorResult>): Promise<T | ErrorResult> {
    try {
      return await body();
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        this.#options.onFailure({ code: "STORE_UNAVAILABLE", operation, error: error.cause });
        return STORE_UNAVAILABLE;
      }
      this.#options.onFailure({ code: "INTERNAL_ERROR", operation, error });
      return errorResult("INTERNAL_ERROR", "Internal error");
    }
  }
}
