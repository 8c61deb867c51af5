import { describe, expect, it } from "vitest";
import { Auth101 } from "../auth101.js";
import type { Auth101Options } from "../options.js";
import type { AuthHttpRequest, AuthHttpResponse } from "./auth-http-handler.js";
import { authenticateRequest, createAuthHttpHandler } from "./auth-http-handler.js";
import { SESSION_COOKIE_NAME } from "./cookie-session.js";
import type { RequestBody } from "./request-body.js";

// The cookie transport and its CSRF check, through the handler (docs/http-api.md). The same
// rules over real HTTP on every framework: the cookie cases of the conformance suite.

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const CREDENTIALS = { email: "alice@example.com", password: "correct horse battery" };
const SAME_ORIGIN = { host: "app.example:8443", "sec-fetch-site": "same-origin" };
const COOKIE_TRANSPORT = { "x-auth101-transport": "cookie" };
const SET_COOKIE = /^__Host-auth101_session=([A-Za-z0-9._-]+); Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=(\d+)$/;
const EXPIRED = "__Host-auth101_session=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0";

function request(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body: unknown = CREDENTIALS,
): AuthHttpRequest {
  const json: RequestBody = { kind: "json", value: body };
  return { method, path, header: (name) => headers[name], readBody: async () => json };
}

function setup(options: Partial<Auth101Options> = {}) {
  const auth = new Auth101({ secret: SECRET, onFailure: () => {}, ...options });
  const handler = createAuthHttpHandler(auth);
  const handle = async (...args: Parameters<typeof request>): Promise<AuthHttpResponse> => {
    const response = await handler(request(...args));
    if (response === undefined) throw new Error("expected a response");
    return response;
  };
  return { auth, handle };
}

const cookieOf = (token: string): Record<string, string> => ({ cookie: `theme=dark; ${SESSION_COOKIE_NAME}=${token}` });

async function signedUpWithCookie(handle: ReturnType<typeof setup>["handle"]): Promise<string> {
  const up = await handle("POST", "/sign-up/email", { ...COOKIE_TRANSPORT, ...SAME_ORIGIN });
  const token = SET_COOKIE.exec(up.headers["set-cookie"] ?? "")?.[1];
  if (token === undefined) throw new Error(`no session cookie: ${JSON.stringify(up)}`);
  return token;
}

describe("the cookie transport", () => {
  it("on request, answers sign-up and sign-in with { user } and the token in a __Host- cookie for the token's life", async () => {
    const { handle } = setup({ tokenExpiresIn: 60 });
    for (const path of ["/sign-up/email", "/sign-in/email"]) {
      const answer = await handle("POST", path, { ...COOKIE_TRANSPORT, ...SAME_ORIGIN });
      expect(answer.status, path).toBe(200);
      expect(answer.body, path).toEqual({
        user: { id: expect.any(String), email: CREDENTIALS.email, is_active: true },
      });
      const [, token, maxAge] = SET_COOKIE.exec(answer.headers["set-cookie"] ?? "") ?? [];
      expect(token, path).toMatch(/^eyJ/);
      expect(Number(maxAge)).toBeGreaterThan(3590);
      expect(Number(maxAge)).toBeLessThanOrEqual(3600);
      expect(answer.headers).toMatchObject({ "cache-control": "no-store", vary: "Origin, Sec-Fetch-Site" });
    }
  });

  it("leaves the bearer contract exactly as it was without the header", async () => {
    const { handle } = setup();
    const answer = await handle("POST", "/sign-up/email", SAME_ORIGIN);
    expect(answer.headers).toEqual({ "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    expect(Object.keys(answer.body).sort()).toEqual(["token", "user"]);
  });

  it("refuses a transport header other than cookie with 400, before doing anything", async () => {
    const { handle } = setup();
    const answer = await handle("POST", "/sign-up/email", { "x-auth101-transport": "bearer", ...SAME_ORIGIN });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_ERROR" } } });
    expect((await handle("POST", "/sign-in/email", SAME_ORIGIN)).status).toBe(401);
  });

  it("refuses a cross-site cookie-transport sign-in (login CSRF) with 403 FORBIDDEN and Vary", async () => {
    const { handle } = setup();
    await handle("POST", "/sign-up/email");
    for (const headers of [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "https://evil.example" },
      {},
    ]) {
      const answer = await handle("POST", "/sign-in/email", { ...COOKIE_TRANSPORT, host: "app.example", ...headers });
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.body).toEqual({
        error: { code: "FORBIDDEN", message: expect.stringMatching(/^Cross-site request/) },
      });
      expect(answer.headers["vary"]).toBe("Origin, Sec-Fetch-Site");
      expect(answer.headers["set-cookie"]).toBeUndefined();
    }
    const fromOwnOrigin = { ...COOKIE_TRANSPORT, host: "app.example", origin: "https://app.example" };
    expect((await handle("POST", "/sign-in/email", fromOwnOrigin)).status).toBe(200);
  });

  it("authenticates by the cookie on every endpoint, a GET without any CSRF check", async () => {
    const { handle } = setup();
    const token = await signedUpWithCookie(handle);
    const session = await handle("GET", "/session", { ...cookieOf(token), "sec-fetch-site": "cross-site" });
    expect(session).toMatchObject({ status: 200, body: { user: { email: CREDENTIALS.email } } });
    expect(session.headers["vary"]).toBeUndefined();
    expect(session.headers["set-cookie"]).toBeUndefined();
  });

  it("checks a cookie-authenticated POST even without the transport header, and expires the cookie on sign-out", async () => {
    const { handle } = setup();
    const token = await signedUpWithCookie(handle);
    const forged = await handle("POST", "/sign-out", { ...cookieOf(token), host: "app.example:8443" });
    expect(forged).toMatchObject({ status: 403, body: { error: { code: "FORBIDDEN" } } });
    expect((await handle("GET", "/session", cookieOf(token))).status).toBe(200);

    const out = await handle("POST", "/sign-out", { ...cookieOf(token), ...SAME_ORIGIN });
    expect(out).toMatchObject({ status: 200, body: { success: true } });
    expect(out.headers).toMatchObject({ "set-cookie": EXPIRED, vary: "Origin, Sec-Fetch-Site" });
  });

  it("lets the Authorization header win over the cookie, with no CSRF check and no cookie in the answer", async () => {
    const { handle } = setup();
    const token = await signedUpWithCookie(handle);
    const bearerOnly = { authorization: `Bearer ${token}`, cookie: `${SESSION_COOKIE_NAME}=not-a-token` };
    const session = await handle("GET", "/session", bearerOnly);
    expect(session.status).toBe(200);
    const out = await handle("POST", "/sign-out", { ...bearerOnly, "sec-fetch-site": "cross-site" });
    expect(out).toMatchObject({ status: 200, body: { success: true } });
    expect(out.headers["set-cookie"]).toBeUndefined();
    const badBearer = await handle("GET", "/session", { ...cookieOf(token), authorization: "Bearer x.y.z" });
    expect(badBearer).toMatchObject({ status: 401, body: { error: { code: "INVALID_TOKEN" } } });
  });

  it("expires a cookie the server no longer accepts", async () => {
    const { handle } = setup();
    const answer = await handle("GET", "/session", cookieOf("x.y.z"));
    expect(answer).toMatchObject({ status: 401, body: { error: { code: "INVALID_TOKEN" } } });
    expect(answer.headers["set-cookie"]).toBe(EXPIRED);
    expect(answer.headers["www-authenticate"]).toMatch(/^Bearer /);
    const malformed = await handle("GET", "/session", { cookie: `${SESSION_COOKIE_NAME}=a b` });
    expect(malformed).toMatchObject({ status: 401, body: { error: { code: "INVALID_TOKEN" } } });
    const none = await handle("GET", "/session", { cookie: "theme=dark" });
    expect(none).toMatchObject({ status: 401, body: { error: { code: "UNAUTHORIZED" } } });
    expect(none.headers["set-cookie"]).toBeUndefined();
  });

  it("expires the cookie when a reset sets a new password (every session ended), and checks the reset for CSRF", async () => {
    const sent: string[] = [];
    const { auth, handle } = setup({ passwordReset: { send: async ({ token }) => void sent.push(token) } });
    const cookieToken = await signedUpWithCookie(handle);
    await auth.requestPasswordReset(CREDENTIALS.email);
    await expect.poll(() => sent.length).toBe(1);
    const body = { token: sent[0], new_password: "another long passphrase" };
    const forged = await handle(
      "POST",
      "/reset-password",
      { ...COOKIE_TRANSPORT, "sec-fetch-site": "cross-site" },
      body,
    );
    expect(forged.status).toBe(403);
    const reset = await handle(
      "POST",
      "/reset-password",
      { ...COOKIE_TRANSPORT, ...cookieOf(cookieToken), ...SAME_ORIGIN },
      body,
    );
    expect(reset).toMatchObject({ status: 200, body: { success: true } });
    expect(reset.headers["set-cookie"]).toBe(EXPIRED);
    // The reset ended every session, the cookie's included.
    expect((await handle("GET", "/session", cookieOf(cookieToken))).status).toBe(401);
  });

  it("judges Origin by trustedOrigins when configured", async () => {
    const { handle } = setup({ trustedOrigins: ["https://app.example"] });
    const behindProxy = { ...COOKIE_TRANSPORT, host: "10.0.0.5:3000" };
    expect((await handle("POST", "/sign-up/email", { ...behindProxy, origin: "https://app.example" })).status).toBe(
      200,
    );
    const ownHost = await handle("POST", "/sign-in/email", { ...behindProxy, origin: "http://10.0.0.5:3000" });
    expect(ownHost.status).toBe(403);
  });
});

describe("authenticateRequest with the session cookie", () => {
  it("gives the user for a GET, and checks a state-changing request for CSRF", async () => {
    const { auth, handle } = setup();
    const token = await signedUpWithCookie(handle);
    const guarded = (method: string, headers: Record<string, string>) => ({
      method,
      header: (name: string) => headers[name],
    });

    expect(await authenticateRequest(auth, guarded("GET", cookieOf(token)))).toEqual({
      user: { id: expect.any(String), email: CREDENTIALS.email, isActive: true, emailVerified: false },
    });
    expect(await authenticateRequest(auth, guarded("DELETE", { ...cookieOf(token), ...SAME_ORIGIN }))).toHaveProperty(
      "user",
    );
    const forged = await authenticateRequest(
      auth,
      guarded("POST", { ...cookieOf(token), "sec-fetch-site": "same-site" }),
    );
    expect(forged).toMatchObject({
      response: { status: 403, body: { error: { code: "FORBIDDEN" } }, headers: { vary: "Origin, Sec-Fetch-Site" } },
    });
    const stale = await authenticateRequest(auth, guarded("GET", cookieOf("x.y.z")));
    expect(stale).toMatchObject({ response: { status: 401, headers: { "set-cookie": EXPIRED } } });
  });
});
