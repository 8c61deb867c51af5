/** A user as integrations see it: what `verifyToken` returns and guards attach to requests. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly isActive: boolean;
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
