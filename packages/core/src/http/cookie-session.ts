/**
 * The browser transport's rules, framework-free and pure: the session cookie, how a request
 * asks for it, and the cross-site (CSRF) check. `docs/http-api.md` ("Browsers: the cookie
 * transport") and `docs/security.md` describe them for users.
 */

/**
 * The session cookie. `__Host-` makes the browser refuse it unless it is `Secure`, has
 * `Path=/` and no `Domain`, so a sibling subdomain cannot set or shadow it.
 */
export const SESSION_COOKIE_NAME = "__Host-auth101_session";

/** The request header that opts a request into the cookie transport: `X-Auth101-Transport: cookie`. */
export const TRANSPORT_HEADER = "x-auth101-transport";

/** The headers a cookie-transport answer varies on (besides `Cookie`, never cached: `no-store`). */
export const CROSS_SITE_VARY = "Origin, Sec-Fetch-Site";

/** A request header by its lower-case name, as the integration's framework gives it. */
export type HeaderReader = (name: string) => string | undefined;

export type RequestedTransport = "cookie" | "bearer" | "invalid";

/**
 * Which transport the request asks for: `cookie` with `X-Auth101-Transport: cookie`
 * (case-insensitive), `bearer` without the header, `invalid` for any other value.
 */
export function requestedTransport(header: string | undefined): RequestedTransport {
  if (header === undefined) return "bearer";
  return header.trim().toLowerCase() === "cookie" ? "cookie" : "invalid";
}

/**
 * The token in the session cookie of a `Cookie` header, as sent (whether it is one is the
 * token check's to say, as for a bearer token), or `undefined` when the cookie is not there
 * (or empty). With several cookies of that name the first
 * wins: the browser sends the one with the longest path first, and `__Host-` cookies all
 * have `Path=/`.
 */
export function sessionCookieToken(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const pair of cookieHeader.split(";")) {
    const separator = pair.indexOf("=");
    if (separator === -1 || pair.slice(0, separator).trim() !== SESSION_COOKIE_NAME) continue;
    let value = pair.slice(separator + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value === "") return undefined;
    return value;
  }
  return undefined;
}

const COOKIE_ATTRIBUTES = "Path=/; HttpOnly; Secure; SameSite=Lax";

/** The `Set-Cookie` value that hands the browser a session token for `maxAgeSeconds`. */
export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE_NAME}=${token}; ${COOKIE_ATTRIBUTES}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

/** The `Set-Cookie` value that makes the browser drop the session cookie. */
export function expiredSessionCookie(): string {
  return `${SESSION_COOKIE_NAME}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`;
}

/**
 * Seconds until a token the core has just issued expires, read from its `exp` claim (the
 * token is ours and freshly signed, so its payload needs no verification here); 0 when it
 * has none.
 */
export function secondsUntilExpiry(token: string, nowMs: number = Date.now()): number {
  const payload = token.split(".")[1];
  if (payload === undefined) return 0;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    if (typeof exp !== "number" || !Number.isFinite(exp)) return 0;
    return Math.max(0, Math.floor(exp - nowMs / 1000));
  } catch {
    return 0;
  }
}

/**
 * `scheme://host[:port]` of an origin given in the options, in the form browsers send in
 * `Origin` (lower case, default port left out), or `undefined` when `value` is not an
 * origin (a path, a query, credentials, `null`, another scheme than http or https).
 */
export function canonicalOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") return undefined;
  if (url.pathname !== "/" || /^[a-z]+:\/\/[^/]+\/./i.test(value)) return undefined;
  return url.origin;
}

export type CrossSiteVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * The CSRF check for a request the browser may have sent on its own: one authenticated by
 * the session cookie that changes state, or a cookie-transport sign-in or sign-up (login
 * CSRF). Allowed only with `Sec-Fetch-Site: same-origin`, or, when the browser sends no
 * Fetch Metadata, an `Origin` on the allow-list: `trustedOrigins` when the app configured
 * it, else the request's own origin as its `Host` header names it.
 */
export function checkCrossSite(header: HeaderReader, trustedOrigins: readonly string[] | undefined): CrossSiteVerdict {
  const fetchSite = header("sec-fetch-site");
  if (fetchSite !== undefined) {
    return fetchSite.trim().toLowerCase() === "same-origin"
      ? { allowed: true }
      : { allowed: false, reason: "Cross-site request refused (Sec-Fetch-Site is not same-origin)" };
  }
  const origin = header("origin");
  if (origin === undefined || origin.trim() === "") {
    return { allowed: false, reason: "Cross-site request refused (no Origin or Sec-Fetch-Site header)" };
  }
  const requestOrigin = canonicalOrigin(origin.trim());
  if (requestOrigin !== undefined && isTrusted(requestOrigin, header("host"), trustedOrigins)) {
    return { allowed: true };
  }
  return { allowed: false, reason: "Cross-site request refused (Origin is not allowed)" };
}

function isTrusted(origin: string, host: string | undefined, trustedOrigins: readonly string[] | undefined): boolean {
  if (trustedOrigins !== undefined) return trustedOrigins.includes(origin);
  if (host === undefined || host.trim() === "") return false;
  // The request's own origin: the Host it was sent to, under the scheme the Origin names
  // (which also drops that scheme's default port, as browsers do in Origin).
  const scheme = origin.slice(0, origin.indexOf(":"));
  const own = canonicalOrigin(`${scheme}://${host.trim()}`);
  return own !== undefined && own === origin;
}
