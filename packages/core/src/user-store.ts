import type { User } from "./user.js";

/** A user as the store keeps it. Only the core ever sees `passwordHash`. */
export interface StoredUser extends User {
  readonly passwordHash: string;
}

/** A server-side session; its id is the token's `jti`. */
export interface StoredSession {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** What `findSession` answers: the session and its user, read together. */
export interface SessionWithUser {
  readonly session: StoredSession;
  readonly user: User;
}

/** What a one-time token is for. */
export type OneTimeTokenPurpose = "password-reset" | "email-verification";

/** A one-time token as the store keeps it: only the SHA-256 of the token, never the token. */
export interface StoredOneTimeToken {
  /** Hex SHA-256 of the token sent to the user; the key. */
  readonly tokenHash: string;
  readonly purpose: OneTimeTokenPurpose;
  readonly userId: string;
  /** The email the token was sent to (email verification binds to it; a reset records it). */
  readonly email: string;
  readonly expiresAt: Date;
}

export interface NewUser {
  /** Already normalized by the core: trimmed and lower-cased. */
  readonly email: string;
  readonly passwordHash: string;
}

/**
 * The one contract a database implements to keep auth101's users and their sessions.
 *
 * - Emails arrive normalized; the store compares them exactly.
 * - `create` must reject with {@link EmailTakenError} when the email exists, and that must
 *   come from the database's unique constraint, not from a read before the write, so that
 *   of many concurrent sign-ups with one email exactly one succeeds.
 * - Session ids are random UUIDs (the token's `jti`). Times keep at least millisecond
 *   precision. `createSession` for a user that does not exist rejects (a foreign key in SQL).
 * - Any other failure (database down, timeout) rejects with whatever error the driver gives;
 *   the core reports it as STORE_UNAVAILABLE and never shows it to clients.
 *
 * Run `describeUserStoreContract` from `@auth101/testing` against an implementation.
 */
export interface UserStore {
  findById(id: string): Promise<User | null>;
  findByEmail(email: string): Promise<StoredUser | null>;
  create(user: NewUser): Promise<User>;
  updatePasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Deactivates or reactivates a user. No-op for an unknown id. */
  setActive(id: string, isActive: boolean): Promise<void>;
  /** Deletes the user; their sessions go with them (ON DELETE CASCADE in SQL). No-op for an unknown id. */
  deleteUser(id: string): Promise<void>;
  createSession(session: StoredSession): Promise<void>;
  /**
   * The session and its user in ONE round trip (SQL: one query, a join), or null when the
   * session or the user does not exist. Expiry and `isActive` are checked by the core, not here.
   */
  findSession(id: string): Promise<SessionWithUser | null>;
  /** The user's sessions, newest first (createdAt descending, then id descending). May include expired ones. */
  listSessions(userId: string): Promise<StoredSession[]>;
  /** Ends the session only if it belongs to `userId`; resolves true when one was deleted. */
  deleteSession(id: string, userId: string): Promise<boolean>;
  /** Ends every session of the user, except `exceptId` when given. */
  deleteUserSessions(userId: string, exceptId?: string): Promise<void>;
  /** Deletes sessions whose expiresAt <= `now` (only the user's when `userId` is given); resolves how many. */
  deleteExpiredSessions(now: Date, userId?: string): Promise<number>;
  // one-time tokens (password reset, email verification) and the verified flag
  /**
   * Stores the token and deletes every other token of the same user and purpose (a newer
   * token retires older ones), atomically.
   */
  replaceOneTimeToken(token: StoredOneTimeToken): Promise<void>;
  /**
   * Deletes the token and answers it, or null when there is none with this hash and purpose.
   * Atomic: of concurrent calls with one hash exactly one gets the token (SQL: DELETE ...
   * RETURNING, or a delete whose affected row count is checked). Expiry is the core's to check.
   */
  consumeOneTimeToken(tokenHash: string, purpose: OneTimeTokenPurpose): Promise<StoredOneTimeToken | null>;
  /** Deletes every token of the user, of all purposes when none is given. */
  deleteOneTimeTokens(userId: string, purpose?: OneTimeTokenPurpose): Promise<void>;
  /** Marks the user's email verified, only if their email still equals `email`; true when it did. */
  markEmailVerified(userId: string, email: string): Promise<boolean>;
}

const USER_STORE_METHODS = [
  "findById",
  "findByEmail",
  "create",
  "updatePasswordHash",
  "setActive",
  "deleteUser",
  "createSession",
  "findSession",
  "listSessions",
  "deleteSession",
  "deleteUserSessions",
  "deleteExpiredSessions",
  "replaceOneTimeToken",
  "consumeOneTimeToken",
  "deleteOneTimeTokens",
  "markEmailVerified",
] as const satisfies readonly (keyof UserStore)[];

export function missingUserStoreMethods(candidate: unknown): string[] {
  if (typeof candidate !== "object" || candidate === null) return [...USER_STORE_METHODS];
  const record = candidate as Record<string, unknown>;
  return USER_STORE_METHODS.filter((method) => typeof record[method] !== "function");
}
