/**
 * Header parameters auth101 refuses on sight. `crit` lists extensions a recipient must
 * understand or reject the token (RFC 7515 §4.1.11); auth101 understands none. The others
 * point at or carry a key, and auth101 only ever verifies with its own secrets.
 */
const REFUSED_HEADER_PARAMETERS = ["crit", "jku", "x5u", "x5c", "jwk"] as const;

/** What a token's header may tell the verifier before any cryptography. */
export interface AcceptableHeader {
  /** `kid`: which of the configured secrets signed the token; absent on tokens from before rotation. */
  readonly keyId: string | undefined;
}

/**
 * A compact JWT's protected header, if acceptable: a JSON object without any of the refused
 * parameters, whose `kid`, if present, is a string. Signature, algorithm and claims are
 * checked elsewhere; this only reads the header, so it runs before any cryptography.
 */
export function readAcceptableHeader(token: string): AcceptableHeader | undefined {
  const end = token.indexOf(".");
  if (end <= 0) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, end), "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return undefined;
  if (!REFUSED_HEADER_PARAMETERS.every((name) => !Object.hasOwn(header, name))) return undefined;
  if (!Object.hasOwn(header, "kid")) return { keyId: undefined };
  const { kid } = header as { kid: unknown };
  return typeof kid === "string" ? { keyId: kid } : undefined;
}
