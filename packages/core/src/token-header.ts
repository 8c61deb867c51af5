/**
 * Header parameters auth101 refuses on sight. `crit` lists extensions a recipient must
 * understand or reject the token (RFC 7515 §4.1.11); auth101 understands none. The others
 * point at or carry a key, and auth101 only ever verifies with its own secret.
 */
const REFUSED_HEADER_PARAMETERS = ["crit", "jku", "x5u", "x5c", "jwk"] as const;

/**
 * Whether a compact JWT's protected header is acceptable: a JSON object without any of the
 * refused parameters. Signature, algorithm and claims are checked elsewhere; this only reads
 * the header, so it runs before any cryptography.
 */
export function hasAcceptableHeader(token: string): boolean {
  const end = token.indexOf(".");
  if (end <= 0) return false;
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, end), "base64url").toString("utf8"));
  } catch {
    return false;
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return false;
  return REFUSED_HEADER_PARAMETERS.every((name) => !Object.hasOwn(header, name));
}
