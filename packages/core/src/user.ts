/** A user as integrations see it: what `verifyToken` returns and guards attach to requests. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly isActive: boolean;
  /**
   * Whether the user proved they read mail at `email` (email verification, or a completed
   * password reset). Not part of the public JSON user, which stays `{ id, email, is_active }`.
   */
  readonly emailVerified: boolean;
}

/** The user as it appears in results and on the wire (same JSON as auth101 for Python). */
export interface PublicUser {
  readonly id: string;
  readonly email: string;
  readonly is_active: boolean;
}

export function toPublicUser(user: User): PublicUser {
  return { id: user.id, email: user.email, is_active: user.isActive };
}
