const SCHEME = "bearer";
const SPACE = 0x20;

/**
 * The credentials of an `Authorization: Bearer <token>` header (RFC 6750 §2.1; the scheme is
 * case-insensitive) as sent, spaces around them dropped, or `undefined` when no token was
 * given (no header, another scheme, an empty Bearer, or whitespace other than spaces where
 * the token should start). Whether they are a token at all (a token68, a signed token of
 * ours) is the token check's to say: anything else verifies as invalid. Not checked here, so
 * that a token the check has verified before is not scanned again on every request.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  if (authorization.charCodeAt(SCHEME.length) !== SPACE) return undefined;
  if (authorization.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return undefined;
  let start = SCHEME.length + 1;
  while (authorization.charCodeAt(start) === SPACE) start += 1;
  if (start === authorization.length || /\s/.test(authorization.charAt(start))) return undefined;
  let end = authorization.length;
  while (authorization.charCodeAt(end - 1) === SPACE) end -= 1;
  return authorization.slice(start, end);
}
