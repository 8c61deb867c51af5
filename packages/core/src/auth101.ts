import type { ErrorResult } from "./errors.js";
import { EmailTakenError, errorResult, StoreUnavailableError, UnsafePasswordHashError } from "./errors.js";
import type { AccountEmailSender, Auth101Options, AuthFailureEvent, ResolvedOptions } from "./options.js";
import { resolveOptions } from "./options.js";
import { isCommonPassword } from "./common-passwords.js";
import { hashOneTimeToken, newOneTimeToken } from "./one-time-tokens.js";
import { PasswordHasher } from "./password-hasher.js";
import type { Throttle } from "./rate-limits.js";
import { RateLimits } from "./rate-limits.js";
import type { VerifiedToken } from "./tokens.js";
import { isSessionId, TokenIssuer } from "./tokens.js";
import type { PublicUser, User } from "./user.js";
import { toPublicUser } from "./user.js";
import type {
  OneTimeTokenPurpose,
  SessionWithUser,
  StoredOneTimeToken,
  StoredSession,
  UserStore,
} from "./user-store.js";
import type { Checked } from "./validation.js";
import { normalizeEmail, normalizePassword } from "./validation.js";

export type AuthResult = { readonly user: PublicUser; readonly token: string } | ErrorResult;
/** Sign-up answers `{ user }` without a token while email verification is required. */
export type SignUpResult = AuthResult | { readonly user: PublicUser };
export type SuccessResult = { readonly success: true } | ErrorResult;
export type SignOutResult = SuccessResult;
export type SessionResult = { readonly user: PublicUser } | ErrorResult;

/** One of a user's sessions as `listSessions` and `GET /sessions` show it. */
export interface SessionSummary {
  readonly id: string;
  /** ISO 8601, UTC, to the millisecond. */
  readonly created_at: string;
  readonly expires_at: string;
  /** Whether this is the session of the token that asked. */
  readonly current: boolean;
}

export type SessionListResult = { readonly sessions: readonly SessionSummary[] } | ErrorResult;
export type PruneResult = { readonly deleted: number } | ErrorResult;

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
const INVALID_RESET_TOKEN = errorResult(
  "INVALID_RESET_TOKEN",
  "This password-reset link is invalid, expired or already used; ask for a new one",
);
const INVALID_VERIFICATION_TOKEN = errorResult(
  "INVALID_VERIFICATION_TOKEN",
  "This verification link is invalid, expired or already used; ask for a new one",
);
const EMAIL_NOT_VERIFIED = errorResult(
  "EMAIL_NOT_VERIFIED",
  "Verify your email address first: open the link we sent you, or ask for a new one",
);
const SUCCESS = { success: true } as const;

/** A token that passed every check: its user, and the session it names. */
interface ActiveSession {
  readonly user: User;
  readonly sessionId: string;
}

/** A sender threw or rejected: reported as SEND_FAILED, never as a store outage. */
class SendFailedError extends Error {
  constructor(options: { cause: unknown }) {
    super("The email sender failed", options);
    this.name = "SendFailedError";
  }
}
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
 * Email/password authentication: sign-up, sign-in, sign-out and server-side sessions named by
 * signed tokens (a token's `jti` is its session's id; see docs/architecture.md). Every method
 * except `verifyToken` resolves to a JSON-ready result and never throws.
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
  /** Emails being stored and sent after their request was answered (see `whenIdle`). */
  readonly #afterAnswer = new Set<Promise<void>>();

  constructor(options: Auth101Options) {
    this.#options = resolveOptions(options);
    failureReporters.set(this, this.#options.onFailure);
    this.#store = this.#options.store;
    this.#hasher = new PasswordHasher(this.#options.hashing, this.#options.storedHashLimits, {
      maxConcurrent: this.#options.maxConcurrentHashes,
      threadNice: this.#options.hashThreadNice,
    });
    this.#tokens = new TokenIssuer({
      secrets: this.#options.secrets,
      issuer: this.#options.issuer,
      lifetimeSeconds: this.#options.tokenLifetimeSeconds,
    });
    this.#signInPasswordPolicy = { minLength: 1, maxLength: this.#options.password.maxLength };
    this.#rateLimits = this.#options.rateLimit === false ? undefined : new RateLimits(this.#options.rateLimit);
    trustedOriginsByInstance.set(this, this.#options.trustedOrigins);
  }

  /** Which optional flows the app turned on (their endpoints are mounted only then). */
  get features(): { readonly passwordReset: boolean; readonly emailVerification: boolean } {
    return {
      passwordReset: this.#options.passwordReset !== undefined,
      emailVerification: this.#options.emailVerification !== undefined,
    };
  }

  /**
   * Creates the user and, unless email verification is required, signs them in. With email
   * verification on, the verification email is sent after the answer.
   */
  signUp(email: string, password: string, context: RequestContext = {}): Promise<SignUpResult> {
    return this.#run("signUp", async () => {
      const checkedEmail = normalizeEmail(email);
      if ("error" in checkedEmail) return checkedEmail;
      const checkedPassword = this.#checkNewPassword(password, "password");
      if ("error" in checkedPassword) return checkedPassword;
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
      const verification = this.#options.emailVerification;
      if (verification !== undefined) {
        this.#sendAfterAnswer(
          "signUp",
          this.#newToken("email-verification", user, verification.lifetimeMs),
          verification.send,
        );
        if (verification.required) return { user: toPublicUser(user) };
      }
      try {
        return await this.#startSession(user);
      } catch (error) {
        // The account exists but has no session: signing in, as the answer advises, gets one.
        if (!(error instanceof StoreUnavailableError)) throw error;
        this.#options.onFailure({ code: "STORE_UNAVAILABLE", operation: "signUp", error: error.cause });
        return SIGN_UP_OUTCOME_UNKNOWN;
      }
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
      // Only after the password proved right, so the 403 tells nothing to someone without it.
      if (this.#options.emailVerification?.required === true && !stored.emailVerified) return EMAIL_NOT_VERIFIED;
      if (check.needsRehash) await this.#upgradeHash(stored.id, checkedPassword.value);
      await this.#pruneExpiredSessionsOf(stored.id);
      return this.#startSession({
        id: stored.id,
        email: stored.email,
        isActive: stored.isActive,
        emailVerified: stored.emailVerified,
      });
    });
  }

  /**
   * Ends the token's session: from the next request on, on every instance sharing the store,
   * the token is refused. Signing out a session that has already ended answers success too
   * (there is nothing left to end); a token that is not ours is INVALID_TOKEN.
   */
  signOut(token: string): Promise<SignOutResult> {
    return this.#run("signOut", async () => {
      const verified = typeof token === "string" ? this.#tokens.verify(token) : undefined;
      if (verified === undefined) return INVALID_TOKEN;
      await this.#fromStore(() => this.#store.deleteSession(verified.sessionId, verified.userId));
      return SUCCESS;
    });
  }

  /** Ends every session of the token's user, this one included. Needs a live session. */
  signOutAll(token: string): Promise<SignOutResult> {
    return this.#run("signOutAll", async () => {
      const session = await this.#activeSession(token);
      if ("error" in session) return session;
      await this.#fromStore(() => this.#store.deleteUserSessions(session.user.id));
      return SUCCESS;
    });
  }

  /**
   * Changes the password of the token's user. The current password is checked like a sign-in
   * (a wrong one is INVALID_CREDENTIALS, throttled per account and address); the new one
   * follows the sign-up policy. Success starts a new session (the answer's token), ends the
   * token's own session and, unless `revokeOtherSessions` is false, every other session of
   * the user, and retires their password-reset tokens.
   */
  changePassword(
    token: string,
    currentPassword: string,
    newPassword: string,
    options: { readonly revokeOtherSessions?: boolean | undefined } = {},
    context: RequestContext = {},
  ): Promise<AuthResult> {
    return this.#run("changePassword", async () => {
      const session = await this.#activeSession(token);
      if ("error" in session) return session;
      const current = normalizePassword(currentPassword, this.#signInPasswordPolicy);
      if ("error" in current) {
        return errorResult("VALIDATION_ERROR", current.error.message.replace(/^password/, "current_password"));
      }
      const next = this.#checkNewPassword(newPassword, "new_password");
      if ("error" in next) return next;
      const { user } = session;
      const throttle = await this.#rateLimits?.beginSignIn(user.email, context.clientAddress);
      if (throttle !== undefined) return rateLimited(throttle);

      const stored = await this.#fromStore(() => this.#store.findByEmail(user.email));
      if (stored === null || stored.id !== user.id) return INVALID_CREDENTIALS;
      const check = await this.#hasher.verify(stored.passwordHash, current.value, currentPassword);
      if (check.unsafeParameters !== undefined) {
        const error = new UnsafePasswordHashError(stored.id, check.unsafeParameters);
        this.#options.onFailure({ code: "UNSAFE_PASSWORD_HASH", operation: "changePassword", error });
      }
      if (!check.valid) return INVALID_CREDENTIALS;
      await this.#rateLimits?.signInSucceeded(user.email, context.clientAddress);

      const passwordHash = await this.#hasher.hash(next.value);
      await this.#fromStore(async () => {
        await this.#store.updatePasswordHash(user.id, passwordHash);
        await this.#store.deleteOneTimeTokens(user.id, "password-reset");
        if (options.revokeOtherSessions === false) await this.#store.deleteSession(session.sessionId, user.id);
        else await this.#store.deleteUserSessions(user.id);
      });
      return this.#startSession(user);
    });
  }

  /**
   * Starts a password reset: 200 `{ success: true }` for every well-formed email, registered or
   * not, after the same work either way (a store lookup, a token drawn and hashed). The token
   * is stored and the app's sender called after the answer, for registered, active users only.
   */
  requestPasswordReset(email: string, context: RequestContext = {}): Promise<SuccessResult> {
    return this.#run("requestPasswordReset", async () => {
      const reset = this.#options.passwordReset;
      if (reset === undefined) return featureOff("password reset", "passwordReset");
      const checkedEmail = normalizeEmail(email);
      if ("error" in checkedEmail) return checkedEmail;
      const throttle = await this.#rateLimits?.beginEmailRequest(
        "passwordReset",
        checkedEmail.value,
        context.clientAddress,
      );
      if (throttle !== undefined) return rateLimited(throttle);

      const stored = await this.#fromStore(() => this.#store.findByEmail(checkedEmail.value));
      const issued = this.#newToken(
        "password-reset",
        { id: stored?.id ?? "", email: checkedEmail.value },
        reset.lifetimeMs,
      );
      if (stored?.isActive === true) this.#sendAfterAnswer("requestPasswordReset", issued, reset.send);
      return SUCCESS;
    });
  }

  /**
   * Completes a password reset: sets the new password, ends every session of the user, retires
   * their other reset tokens and marks their email verified (they read the email). Does not
   * sign in. A new password that fails the policy is VALIDATION_ERROR and leaves the token
   * usable; a bad, expired or used token is INVALID_RESET_TOKEN.
   */
  resetPassword(token: string, newPassword: string): Promise<SuccessResult> {
    return this.#run("resetPassword", async () => {
      if (this.#options.passwordReset === undefined) return featureOff("password reset", "passwordReset");
      const checkedPassword = this.#checkNewPassword(newPassword, "new_password");
      if ("error" in checkedPassword) return checkedPassword;
      const consumed = await this.#consumeToken(token, "password-reset");
      if (consumed === null) return INVALID_RESET_TOKEN;
      const user = await this.#fromStore(() => this.#store.findById(consumed.userId));
      if (user === null || !user.isActive || user.email !== consumed.email) return INVALID_RESET_TOKEN;

      const passwordHash = await this.#hasher.hash(checkedPassword.value);
      await this.#fromStore(async () => {
        await this.#store.updatePasswordHash(user.id, passwordHash);
        await this.#store.deleteUserSessions(user.id);
        await this.#store.deleteOneTimeTokens(user.id, "password-reset");
        await this.#store.markEmailVerified(user.id, consumed.email);
      });
      await this.#rateLimits?.accountRecovered(user.email);
      return SUCCESS;
    });
  }

  /**
   * Sends a new verification email: 200 `{ success: true }` for every well-formed email, after
   * the same work either way; the email goes out after the answer, to registered, active,
   * unverified users only.
   */
  sendVerificationEmail(email: string, context: RequestContext = {}): Promise<SuccessResult> {
    return this.#run("sendVerificationEmail", async () => {
      const verification = this.#options.emailVerification;
      if (verification === undefined) return featureOff("email verification", "emailVerification");
      const checkedEmail = normalizeEmail(email);
      if ("error" in checkedEmail) return checkedEmail;
      const throttle = await this.#rateLimits?.beginEmailRequest(
        "verificationEmail",
        checkedEmail.value,
        context.clientAddress,
      );
      if (throttle !== undefined) return rateLimited(throttle);

      const stored = await this.#fromStore(() => this.#store.findByEmail(checkedEmail.value));
      const issued = this.#newToken(
        "email-verification",
        { id: stored?.id ?? "", email: checkedEmail.value },
        verification.lifetimeMs,
      );
      if (stored?.isActive === true && !stored.emailVerified) {
        this.#sendAfterAnswer("sendVerificationEmail", issued, verification.send);
      }
      return SUCCESS;
    });
  }

  /** Marks the email the token was sent to verified; a bad, expired or used token is INVALID_VERIFICATION_TOKEN. */
  verifyEmail(token: string): Promise<SuccessResult> {
    return this.#run("verifyEmail", async () => {
      if (this.#options.emailVerification === undefined) return featureOff("email verification", "emailVerification");
      const consumed = await this.#consumeToken(token, "email-verification");
      if (consumed === null) return INVALID_VERIFICATION_TOKEN;
      // False when the user is gone or their email is no longer the one the link was sent to.
      const marked = await this.#fromStore(() => this.#store.markEmailVerified(consumed.userId, consumed.email));
      return marked ? SUCCESS : INVALID_VERIFICATION_TOKEN;
    });
  }

  /**
   * Resolves once every email whose request was already answered has been stored and handed
   * to its sender (or failed, to `onFailure`). Await it before closing the store on shutdown.
   */
  async whenIdle(): Promise<void> {
    while (this.#afterAnswer.size > 0) await Promise.all(this.#afterAnswer);
  }

  getSession(token: string): Promise<SessionResult> {
    return this.#withSession(
      token,
      (session) => ({ user: toPublicUser(session.user) }),
      (error) => this.#failed("getSession", error),
    );
  }

  /** The unexpired sessions of the token's user, newest first; `current` marks the token's own. */
  listSessions(token: string): Promise<SessionListResult> {
    return this.#run("listSessions", async () => {
      const session = await this.#activeSession(token);
      if ("error" in session) return session;
      const now = Date.now();
      const sessions = await this.#fromStore(() => this.#store.listSessions(session.user.id));
      return {
        sessions: sessions
          .filter((stored) => stored.expiresAt.getTime() > now)
          .map((stored) => toSessionSummary(stored, session.sessionId)),
      };
    });
  }

  /**
   * Ends one of the token's user's sessions (the token's own included). An unknown id, or
   * another user's session, changes nothing and answers the same success, so the answer does
   * not tell whether a session id exists.
   */
  endSession(token: string, sessionId: string): Promise<SignOutResult> {
    return this.#run("endSession", async () => {
      const session = await this.#activeSession(token);
      if ("error" in session) return session;
      if (typeof sessionId !== "string" || !isSessionId(sessionId)) return SUCCESS;
      await this.#fromStore(() => this.#store.deleteSession(sessionId, session.user.id));
      return SUCCESS;
    });
  }

  /**
   * Account administration (for the app's admin tools; no HTTP endpoint). Deactivation ends
   * every session of the user at once, and sign-in is refused until `reactivateUser`.
   */
  deactivateUser(userId: string): Promise<SuccessResult> {
    return this.#administer("deactivateUser", userId, async (id) => {
      // Inactive first: from then on no sign-in creates a session, and no session passes.
      await this.#store.setActive(id, false);
      await this.#store.deleteUserSessions(id);
    });
  }

  /** Lets a deactivated user sign in again. Their old sessions stay ended. */
  reactivateUser(userId: string): Promise<SuccessResult> {
    return this.#administer("reactivateUser", userId, (id) => this.#store.setActive(id, true));
  }

  /** Deletes the user and, with them, every session they had. */
  deleteUser(userId: string): Promise<SuccessResult> {
    return this.#administer("deleteUser", userId, async (id) => {
      await this.#store.deleteUserSessions(id);
      await this.#store.deleteUser(id);
    });
  }

  /** Ends every session of the user ("sign this user out everywhere"); the account stays usable. */
  endUserSessions(userId: string): Promise<SuccessResult> {
    return this.#administer("endUserSessions", userId, (id) => this.#store.deleteUserSessions(id));
  }

  /**
   * Deletes every expired session in the store and answers how many. Each sign-in already
   * prunes that user's expired sessions; schedule this (say hourly) so sessions of users who
   * never come back do not pile up.
   */
  pruneExpiredSessions(): Promise<PruneResult> {
    return this.#run("pruneExpiredSessions", async () => {
      const deleted = await this.#fromStore(() => this.#store.deleteExpiredSessions(new Date()));
      return { deleted };
    });
  }

  /**
   * What guards ask: the `User` entity (with `emailVerified`) a token belongs to, or the
   * error `getSession` would answer for it.
   */
  authenticate(token: string): Promise<{ readonly user: User } | ErrorResult> {
    return this.#withSession(
      token,
      (session) => ({ user: session.user }),
      (error) => this.#failed("getSession", error),
    );
  }

  /**
   * The signed-in, active user a token belongs to, or `null` for an invalid or expired token
   * or a user who is gone or deactivated. Rejects with {@link StoreUnavailableError} when the
   * store fails, so an outage is never mistaken for a bad token.
   */
  async verifyToken(token: string): Promise<User | null> {
    try {
      const session = await this.#activeSession(token);
      return "error" in session ? null : session.user;
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        this.#options.onFailure({ code: "STORE_UNAVAILABLE", operation: "verifyToken", error: error.cause });
      }
      throw error;
    }
  }

  /**
   * The live session a token names and its active user: the check behind every method that
   * takes a token. One store call (`findSession`) whatever the answer; the signature cache in
   * tokens.ts never stands in for it. Store failures throw.
   */
  #activeSession(token: unknown): Promise<ActiveSession | ErrorResult> {
    return this.#withSession(token, (session) => session, rethrow);
  }

  /** Signs a token for the user and stores the session it names. */
  async #startSession(user: User): Promise<{ user: PublicUser; token: string }> {
    const issued = this.#tokens.issue(user.id);
    await this.#fromStore(() =>
      this.#store.createSession({
        id: issued.sessionId,
        userId: user.id,
        createdAt: issued.issuedAt,
        expiresAt: issued.expiresAt,
      }),
    );
    return { user: toPublicUser(user), token: issued.token };
  }

  /** The sign-up policy for a new password: length, NFKC, and not on the common-password list. */
  #checkNewPassword(password: unknown, field: "password" | "new_password"): Checked<string> {
    const checked = normalizePassword(password, this.#options.password);
    if ("error" in checked) {
      return field === "password"
        ? checked
        : errorResult("VALIDATION_ERROR", checked.error.message.replace(/^password/, field));
    }
    if (this.#options.password.rejectCommon && isCommonPassword(checked.value)) {
      return errorResult(
        "VALIDATION_ERROR",
        `${field} is too common: it appears on lists of frequently used passwords`,
      );
    }
    return checked;
  }

  /** A fresh one-time token for the user, and the record the store will keep (its hash). */
  #newToken(
    purpose: OneTimeTokenPurpose,
    user: { readonly id: string; readonly email: string },
    lifetimeMs: number,
  ): { readonly token: string; readonly record: StoredOneTimeToken } {
    const token = newOneTimeToken();
    return {
      token,
      record: {
        tokenHash: hashOneTimeToken(token),
        purpose,
        userId: user.id,
        email: user.email,
        expiresAt: new Date(Date.now() + lifetimeMs),
      },
    };
  }

  /**
   * Uses up a one-time token: any string is hashed and looked up, malformed or not, so every
   * bad token costs the same. Null when unknown, used, retired or expired.
   */
  async #consumeToken(token: unknown, purpose: OneTimeTokenPurpose): Promise<StoredOneTimeToken | null> {
    const tokenHash = hashOneTimeToken(typeof token === "string" ? token : "");
    const consumed = await this.#fromStore(() => this.#store.consumeOneTimeToken(tokenHash, purpose));
    if (consumed === null || consumed.expiresAt.getTime() <= Date.now()) return null;
    return consumed;
  }

  /**
   * Stores the token (retiring the user's older ones) and calls the sender, once the current
   * request has been answered: the answer neither waits for the mail server nor shows, in its
   * timing, whether there was anyone to write to. Failures go to `onFailure`.
   */
  #sendAfterAnswer(
    operation: Operation,
    issued: { readonly token: string; readonly record: StoredOneTimeToken },
    send: AccountEmailSender,
  ): void {
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        await this.#fromStore(() => this.#store.replaceOneTimeToken(issued.record));
        try {
          await send({ email: issued.record.email, token: issued.token, expiresAt: issued.record.expiresAt });
        } catch (error) {
          throw new SendFailedError({ cause: error });
        }
      })
      .catch((error: unknown) => {
        if (error instanceof SendFailedError) {
          this.#options.onFailure({ code: "SEND_FAILED", operation, error: error.cause });
        } else if (error instanceof StoreUnavailableError) {
          this.#options.onFailure({ code: "STORE_UNAVAILABLE", operation, error: error.cause });
        } else {
          this.#options.onFailure({ code: "INTERNAL_ERROR", operation, error });
        }
      })
      .finally(() => this.#afterAnswer.delete(task));
    this.#afterAnswer.add(task);
  }

  async #pruneExpiredSessionsOf(userId: string): Promise<void> {
    try {
      await this.#store.deleteExpiredSessions(new Date(), userId);
    } catch (error) {
      // Pruning is housekeeping: the sign-in goes on (and fails on its own if the store is down).
      this.#options.onFailure({ code: "STORE_UNAVAILABLE", operation: "signIn", error });
    }
  }

  #administer(operation: Operation, userId: string, change: (id: string) => Promise<void>): Promise<SuccessResult> {
    return this.#run(operation, async () => {
      if (typeof userId !== "string" || userId === "") return USER_NOT_FOUND;
      const user = await this.#fromStore(() => this.#store.findById(userId));
      if (user === null) return USER_NOT_FOUND;
      await this.#fromStore(() => change(user.id));
      return SUCCESS;
    });
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
      return this.#failed(operation, error);
    }
  }

  /**
   * The session check of `#activeSession`, then `answer` on the live session, with what
   * throws answered by `failed`, all in one async function: on the path every authenticated
   * request takes, each async layer between the store's answer and the response is a promise
   * step (a reaction job and a `then` lookup on the resolved object). For the same reason it
   * awaits `findSession` itself rather than through `#fromStore`.
   */
  async #withSession<T>(
    token: unknown,
    answer: (session: ActiveSession) => T,
    failed: (error: unknown) => ErrorResult,
  ): Promise<T | ErrorResult> {
    try {
      const verified = typeof token === "string" ? this.#tokens.verify(token) : undefined;
      if (verified === undefined) return INVALID_TOKEN;
      let found: SessionWithUser | null;
      try {
        found = await this.#store.findSession(verified.sessionId);
      } catch (error) {
        throw new StoreUnavailableError({ cause: error });
      }
      const session = activeSessionOf(found, verified);
      return "error" in session ? session : answer(session);
    } catch (error) {
      return failed(error);
    }
  }

  /** What an operation answers for what it threw, reported to `onFailure`. */
  #failed(operation: Operation, error: unknown): ErrorResult {
    if (error instanceof StoreUnavailableError) {
      this.#options.onFailure({ code: "STORE_UNAVAILABLE", operation, error: error.cause });
      return STORE_UNAVAILABLE;
    }
    this.#options.onFailure({ code: "INTERNAL_ERROR", operation, error });
    return errorResult("INTERNAL_ERROR", "Internal error");
  }
}

/** For `#activeSession`: its callers handle what fails. */
function rethrow(error: unknown): never {
  throw error;
}

/** What a token's stored session says of it: live, with its active user, or why not. */
function activeSessionOf(found: SessionWithUser | null, verified: VerifiedToken): ActiveSession | ErrorResult {
  // Ended (signed out, or its user deleted), or not this token's: the token is dead.
  if (found === null || found.session.userId !== verified.userId) return INVALID_TOKEN;
  if (found.session.expiresAt.getTime() <= Date.now()) return INVALID_TOKEN;
  const { user } = found;
  if (!user.isActive) return USER_NOT_FOUND;
  return {
    user: { id: user.id, email: user.email, isActive: user.isActive, emailVerified: user.emailVerified },
    sessionId: verified.sessionId,
  };
}

function toSessionSummary(session: StoredSession, currentId: string): SessionSummary {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    current: session.id === currentId,
  };
}

/** A method of a feature the app did not configure; the HTTP endpoints are then not mounted. */
function featureOff(feature: string, option: string): ErrorResult {
  return errorResult("VALIDATION_ERROR", `${feature} is off: pass ${option}: { send } to new Auth101()`);
}
