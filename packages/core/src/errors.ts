export const ERROR_CODES = [
  "VALIDATION_ERROR",
  "USER_EXISTS",
  "INVALID_CREDENTIALS",
  "INVALID_TOKEN",
  "UNAUTHORIZED",
  "USER_NOT_FOUND",
  "RATE_LIMITED",
  "STORE_UNAVAILABLE",
  "INTERNAL_ERROR",
  "INVALID_RESET_TOKEN",
  "INVALID_VERIFICATION_TOKEN",
  "EMAIL_NOT_VERIFIED",
  "FORBIDDEN",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AuthError {
  readonly message: string;
  readonly code: ErrorCode;
}

/** Every failed result: `{ error: { message, code } }`. Narrow with `"error" in result`. */
export interface ErrorResult {
  readonly error: AuthError;
  /** Seconds until a RATE_LIMITED caller may try again; absent for every other code. */
  readonly retryAfterSeconds?: number;
}

export function errorResult(code: ErrorCode, message: string): ErrorResult {
  return { error: { message, code } };
}

// The error classes the core throws, in one place.

/** A wrong or missing option, thrown by `new Auth101()` (never at request time). */
export class Auth101ConfigError extends Error {
  constructor(message: string) {
    super(`auth101: ${message}`);
    this.name = "Auth101ConfigError";
  }
}

/** The user store failed; `verifyToken` rejects with this, every other method answers STORE_UNAVAILABLE. */
export class StoreUnavailableError extends Error {
  constructor(options: { cause: unknown }) {
    super("The user store is unavailable", options);
    this.name = "StoreUnavailableError";
  }
}

const EMAIL_TAKEN = Symbol.for("auth101.EmailTakenError");

/** Thrown by `UserStore.create` when the email is already registered. */
export class EmailTakenError extends Error {
  readonly [EMAIL_TAKEN] = true;

  constructor() {
    super("A user with this email already exists");
    this.name = "EmailTakenError";
  }

  /** Recognizes the error even when it comes from another copy of this package. */
  static is(error: unknown): error is EmailTakenError {
    return typeof error === "object" && error !== null && EMAIL_TAKEN in error;
  }
}

/** A stored hash asked for more work than `hashing.storedHashLimits` allows; reported through `onFailure`. */
export class UnsafePasswordHashError extends Error {
  constructor(userId: string, reason: string) {
    super(`The stored password hash of user ${userId} was not verified: ${reason}`);
    this.name = "UnsafePasswordHashError";
  }
}
