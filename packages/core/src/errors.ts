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
