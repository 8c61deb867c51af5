const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1; the scheme is
 * case-insensitive), or `undefined` when no token was given (no header, another scheme, or
 * an empty Bearer). Bearer credentials that are not a token68 yield `""`, which verifies as
 * invalid.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = BEARER.exec(authorization);
  if (match) return match[1];
  return /^Bearer +\S/i.test(authorization) ? "" : undefined;
}
