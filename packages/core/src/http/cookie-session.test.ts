import { describe, expect, it } from "vitest";
import {
  SESSION_COOKIE_NAME,
  canonicalOrigin,
  checkCrossSite,
  expiredSessionCookie,
  requestedTransport,
  secondsUntilExpiry,
  sessionCookie,
  sessionCookieToken,
} from "./cookie-session.js";

function headers(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => values[name];
}

describe("requestedTransport", () => {
  it.each([
    [undefined, "bearer"],
    ["cookie", "cookie"],
    ["Cookie", "cookie"],
    [" cookie ", "cookie"],
    ["bearer", "invalid"],
    ["", "invalid"],
    ["cookies", "invalid"],
  ] as const)("reads %j as %s", (header, transport) => {
    expect(requestedTransport(header)).toBe(transport);
  });
});

describe("sessionCookieToken", () => {
  it.each([
    [`${SESSION_COOKIE_NAME}=abc.def-ghi_jkl`, "abc.def-ghi_jkl"],
    [`theme=dark; ${SESSION_COOKIE_NAME}=abc; lang=en`, "abc"],
    [`theme=dark;${SESSION_COOKIE_NAME}=abc`, "abc"],
    [`${SESSION_COOKIE_NAME}="abc"`, "abc"],
    [`${SESSION_COOKIE_NAME}=first; ${SESSION_COOKIE_NAME}=second`, "first"],
  ])("reads the token of %j", (header, token) => {
    expect(sessionCookieToken(header)).toBe(token);
  });

  it.each([
    [undefined],
    [""],
    ["theme=dark"],
    [`${SESSION_COOKIE_NAME}=`],
    ["auth101_session=abc"],
    ["__host-auth101_session=abc"],
    [`x${SESSION_COOKIE_NAME}=abc`],
    [SESSION_COOKIE_NAME],
  ])("finds no session cookie in %j", (header) => {
    expect(sessionCookieToken(header)).toBeUndefined();
  });

  it.each([
    [`${SESSION_COOKIE_NAME}=a b`, "a b"],
    [`${SESSION_COOKIE_NAME}=ä`, "ä"],
    [`${SESSION_COOKIE_NAME}==abc`, "=abc"],
  ])("hands on %j as sent, for the token check to refuse", (header, value) => {
    expect(sessionCookieToken(header)).toBe(value);
  });
});

describe("the Set-Cookie values", () => {
  it("hands out a __Host- cookie: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain, Max-Age", () => {
    expect(sessionCookie("abc.def", 3600)).toBe(
      "__Host-auth101_session=abc.def; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=3600",
    );
    expect(sessionCookie("abc", 12.9)).toMatch(/; Max-Age=12$/);
    expect(sessionCookie("abc", -5)).toMatch(/; Max-Age=0$/);
    expect(sessionCookie("abc", 1)).not.toMatch(/domain/i);
  });

  it("expires the cookie with the same attributes and Max-Age=0", () => {
    expect(expiredSessionCookie()).toBe("__Host-auth101_session=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0");
  });
});

describe("secondsUntilExpiry", () => {
  const token = (payload: unknown): string =>
    `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.sig`;

  it("reads the exp claim against the given clock", () => {
    expect(secondsUntilExpiry(token({ exp: 1_000_600 }), 1_000_000_000)).toBe(600);
    expect(secondsUntilExpiry(token({ exp: 1_000_600 }), 1_000_000_500)).toBe(599);
    expect(secondsUntilExpiry(token({ exp: 999_000 }), 1_000_000_000)).toBe(0);
  });

  it.each([["no-dots"], ["a.!!!.c"], [token({})], [token({ exp: "600" })], [token(null)]])(
    "answers 0 for %j",
    (value) => {
      expect(secondsUntilExpiry(value, 0)).toBe(0);
    },
  );
});

describe("canonicalOrigin", () => {
  it.each([
    ["https://app.example.com", "https://app.example.com"],
    ["https://App.Example.com/", "https://app.example.com"],
    ["https://app.example.com:443", "https://app.example.com"],
    ["http://127.0.0.1:3000", "http://127.0.0.1:3000"],
    ["http://[::1]:3000", "http://[::1]:3000"],
  ])("reads %j as %j", (value, origin) => {
    expect(canonicalOrigin(value)).toBe(origin);
  });

  it.each([
    ["null"],
    [""],
    ["app.example.com"],
    ["https://app.example.com/path"],
    ["https://app.example.com/?q"],
    ["https://app.example.com#x"],
    ["https://user@app.example.com"],
    ["ftp://app.example.com"],
    ["javascript:alert(1)"],
  ])("refuses %j", (value) => {
    expect(canonicalOrigin(value)).toBeUndefined();
  });
});

describe("checkCrossSite", () => {
  const own = { host: "127.0.0.1:3000" };

  it("allows Sec-Fetch-Site: same-origin, whatever the Origin", () => {
    expect(checkCrossSite(headers({ ...own, "sec-fetch-site": "same-origin" }), undefined)).toEqual({ allowed: true });
    expect(
      checkCrossSite(
        headers({ ...own, "sec-fetch-site": "same-origin", origin: "https://elsewhere.example" }),
        undefined,
      ),
    ).toEqual({ allowed: true });
  });

  it.each([["same-site"], ["cross-site"], ["none"], [""], ["same-origin, cross-site"]])(
    "refuses Sec-Fetch-Site: %j, even with an allowed Origin",
    (fetchSite) => {
      const verdict = checkCrossSite(
        headers({ ...own, "sec-fetch-site": fetchSite, origin: "http://127.0.0.1:3000" }),
        undefined,
      );
      expect(verdict).toEqual({ allowed: false, reason: expect.stringContaining("Sec-Fetch-Site") });
    },
  );

  it("without Fetch Metadata, allows the request's own origin by default, judged by Host", () => {
    expect(checkCrossSite(headers({ ...own, origin: "http://127.0.0.1:3000" }), undefined)).toEqual({ allowed: true });
    expect(checkCrossSite(headers({ host: "App.example.com", origin: "https://app.example.com" }), undefined)).toEqual({
      allowed: true,
    });
    expect(
      checkCrossSite(headers({ host: "app.example.com:443", origin: "https://app.example.com" }), undefined),
    ).toEqual({ allowed: true });
  });

  it.each([
    ["another port", "http://127.0.0.1:3001"],
    ["another host", "http://localhost:3000"],
    ["an opaque origin", "null"],
    ["a path", "http://127.0.0.1:3000/x"],
    ["an empty Origin", ""],
  ])("without Fetch Metadata, refuses %s", (_case, origin) => {
    expect(checkCrossSite(headers({ ...own, origin }), undefined)).toMatchObject({ allowed: false });
  });

  it("without Fetch Metadata and without Origin, refuses", () => {
    expect(checkCrossSite(headers(own), undefined)).toEqual({
      allowed: false,
      reason: expect.stringContaining("no Origin"),
    });
  });

  it("without Host, allows no Origin by default", () => {
    expect(checkCrossSite(headers({ origin: "http://127.0.0.1:3000" }), undefined)).toMatchObject({ allowed: false });
  });

  it.each([["evil.example@127.0.0.1:3000"], ["127.0.0.1:3000/path"], [""]])(
    "does not take a Host of %j for an origin",
    (host) => {
      expect(checkCrossSite(headers({ host, origin: "http://127.0.0.1:3000" }), undefined)).toMatchObject({
        allowed: false,
      });
    },
  );

  it("with trustedOrigins configured, allows exactly those origins and no longer the Host's", () => {
    const trusted = ["https://app.example.com"];
    expect(checkCrossSite(headers({ host: "api.internal:8080", origin: "https://app.example.com" }), trusted)).toEqual({
      allowed: true,
    });
    expect(
      checkCrossSite(headers({ host: "api.internal:8080", origin: "http://app.example.com" }), trusted),
    ).toMatchObject({ allowed: false });
    expect(
      checkCrossSite(headers({ host: "api.internal:8080", origin: "http://api.internal:8080" }), trusted),
    ).toMatchObject({ allowed: false });
  });
});
