const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME = "bearer";
const SPACE = 0x20;

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1; the scheme is
 * case-insensitive), or `undefined` when no token was given (no header, another scheme, or
 * an empty Bearer). Bearer credentials that are not a token68 yield `""`, which verifies as
 * invalid.
 *
 * Read by hand rather than by one capturing regular expression: it runs on every request,
 * and the capture cost more than the rest of the check (bench: in-process profile).
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  if (authorization.charCodeAt(SCHEME.length) !== SPACE) return undefined;
  if (authorization.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return undefined;
  let start = SCHEME.length + 1;
  while (authorization.charCodeAt(start) === SPACE) start += 1;
  if (start === authorization.length) return undefined;
  let end = authorization.length;
  while (authorization.charCodeAt(end - 1) === SPACE) end -= 1;
  const token = authorization.slice(start, end);
  if (TOKEN68.test(token)) return token;
  // Something follows the spaces: a token was meant, and it is not one. Whitespace other
  // than spaces (a tab) is no token at all.
  return /\s/.test(authorization.charAt(start)) ? undefined : "";
}
