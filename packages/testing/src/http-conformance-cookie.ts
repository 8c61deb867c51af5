import { beforeAll, describe, expect, it } from "vitest";
import type { ErrorCode } from "@auth101/core";
import { describeAnswer, expectErrorAnswer } from "./support/expectations.js";
import { GOOD_PASSWORD, uniqueEmail } from "./support/fixtures.js";
import type { HttpAnswer, HttpExchange } from "./support/http-client.js";
import { PROTECTED_PATH, bearer, jsonPost } from "./support/http-client.js";

/** What the cookie cases need of the suite's server fixture (filled in by its `beforeAll`). */
export interface CookieConformanceFixture {
  readonly prefix: string;
  /** `http://127.0.0.1:PORT`: the server's own origin, as its Host header names it. */
  readonly url: string;
  send(exchange: HttpExchange): Promise<HttpAnswer>;
}

const COOKIE_TRANSPORT = { "x-auth101-transport": "cookie" } as const;
const SET_COOKIE = /^__Host-auth101_session=([A-Za-z0-9._-]+); Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=(\d+)$/;
const EXPIRED_COOKIE = "__Host-auth101_session=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0";

/**
 * The browser transport over real HTTP (docs/http-api.md, "Browsers: the cookie transport"):
 * the session cookie, the CSRF check on the endpoints and on the guard, and the bearer
 * contract untouched. Part of `describeHttpConformance`, so every framework runs it.
 */
export function describeCookieTransport(fixture: CookieConformanceFixture): void {
  describe("the cookie transport (browsers)", () => {
    const at = (path: string): string => `${fixture.prefix}${path}`;
    const sameOrigin = (): Record<string, string> => ({ "sec-fetch-site": "same-origin" });
    const ownOrigin = (): Record<string, string> => ({ origin: fixture.url });
    const withCookie = (token: string): Record<string, string> => ({
      cookie: `theme=dark; __Host-auth101_session=${token}`,
    });
    let email: string;
    let token: string;

    function expectCookieSession(answer: HttpAnswer): string {
      const described = describeAnswer(answer);
      expect(answer.status, described).toBe(200);
      expect(answer.json, described).toEqual({
        user: { id: expect.any(String), email, is_active: true },
      });
      expect(answer.text, described).not.toContain("eyJ");
      const [, cookieToken, maxAge] = SET_COOKIE.exec(answer.headers["set-cookie"] ?? "") ?? [];
      expect(cookieToken, `a __Host- session cookie in ${described}`).toEqual(expect.any(String));
      expect(Number(maxAge), described).toBeGreaterThan(0);
      expect(answer.headers["cache-control"], described).toMatch(/\bno-store\b/);
      expectVary(answer);
      return cookieToken as string;
    }

    function expectVary(answer: HttpAnswer): void {
      const vary = (answer.headers["vary"] ?? "").toLowerCase();
      expect(vary, describeAnswer(answer)).toContain("origin");
      expect(vary, describeAnswer(answer)).toContain("sec-fetch-site");
    }

    function expectForbidden(answer: HttpAnswer): void {
      expectErrorAnswer(answer, 403, "FORBIDDEN" satisfies ErrorCode);
      expectVary(answer);
      expect(answer.headers["set-cookie"], describeAnswer(answer)).toBeUndefined();
    }

    async function expectSignedIn(cookieToken: string): Promise<void> {
      const session = await fixture.send({ method: "GET", path: at("/session"), headers: withCookie(cookieToken) });
      expect(session.status, describeAnswer(session)).toBe(200);
    }

    beforeAll(async () => {
      email = uniqueEmail("browser");
      const signUp = await fixture.send(
        jsonPost(at("/sign-up/email"), { email, password: GOOD_PASSWORD }, { ...COOKIE_TRANSPORT, ...sameOrigin() }),
      );
      token = expectCookieSession(signUp);
    });

    it("signs up and in with X-Auth101-Transport: cookie: { user } and the token only in a __Host- cookie", async () => {
      const signIn = await fixture.send(
        jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD }, { ...COOKIE_TRANSPORT, ...ownOrigin() }),
      );
      expectCookieSession(signIn);
    });

    it("authenticates GET /session and the guard by the cookie alone, with no CSRF check on a GET", async () => {
      const headers = { ...withCookie(token), "sec-fetch-site": "cross-site" };
      const session = await fixture.send({ method: "GET", path: at("/session"), headers });
      expect(session.status, describeAnswer(session)).toBe(200);
      expect(session.json).toEqual({ user: { id: expect.any(String), email, is_active: true } });
      const guarded = await fixture.send({ method: "GET", path: PROTECTED_PATH, headers });
      expect(guarded.status, describeAnswer(guarded)).toBe(200);
      expect(guarded.json).toEqual({ id: expect.any(String), email });
    });

    it.each([
      ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
      ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
      ["Sec-Fetch-Site: none", { "sec-fetch-site": "none" }],
      ["another Origin and no Fetch Metadata", { origin: "http://evil.example" }],
      ["Origin: null", { origin: "null" }],
      ["neither Origin nor Fetch Metadata", {}],
    ])(
      "answers 403 FORBIDDEN to a cookie-authenticated POST with %s, and the session survives",
      async (_case, headers) => {
        for (const path of [at("/sign-out"), PROTECTED_PATH]) {
          expectForbidden(await fixture.send(jsonPost(path, {}, { ...withCookie(token), ...headers })));
        }
        await expectSignedIn(token);
      },
    );

    it("refuses a cross-site form POST carrying the cookie (403), and a same-origin one that is not JSON (415)", async () => {
      const form = (headers: Record<string, string>): HttpExchange => ({
        method: "POST",
        path: at("/sign-out"),
        headers: { "content-type": "application/x-www-form-urlencoded", ...withCookie(token), ...headers },
        body: "a=1",
      });
      expectForbidden(await fixture.send(form({ "sec-fetch-site": "cross-site", origin: "http://evil.example" })));
      const sameOriginForm = await fixture.send(
        jsonPost(at("/sign-in/email"), {}, { ...COOKIE_TRANSPORT, ...sameOrigin(), "content-type": "text/plain" }),
      );
      expectErrorAnswer(sameOriginForm, 415, "VALIDATION_ERROR");
      await expectSignedIn(token);
    });

    it("refuses a cross-site cookie-transport sign-in (login CSRF) with 403 and sets no cookie", async () => {
      for (const headers of [{ "sec-fetch-site": "cross-site" }, { origin: "http://evil.example" }, {}]) {
        const answer = await fixture.send(
          jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD }, { ...COOKIE_TRANSPORT, ...headers }),
        );
        expectForbidden(answer);
      }
    });

    it("lets a same-origin cookie POST through to the guard (Sec-Fetch-Site, or the own Origin without it)", async () => {
      for (const headers of [sameOrigin(), ownOrigin()]) {
        const answer = await fixture.send(jsonPost(PROTECTED_PATH, {}, { ...withCookie(token), ...headers }));
        expect(answer.status, describeAnswer(answer)).toBe(200);
        expect(answer.json).toEqual({ id: expect.any(String), email });
      }
    });

    it("lets the Authorization header win: a bearer POST skips the check and gets no cookie", async () => {
      const signIn = await fixture.send(jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD }));
      const { token: bearerToken } = signIn.json as { token: string };
      const answer = await fixture.send(
        jsonPost(
          PROTECTED_PATH,
          {},
          { ...bearer(bearerToken), ...withCookie("stale"), "sec-fetch-site": "cross-site" },
        ),
      );
      expect(answer.status, describeAnswer(answer)).toBe(200);
      expect(answer.headers["set-cookie"]).toBeUndefined();
    });

    it("answers 400 to an unknown X-Auth101-Transport", async () => {
      const answer = await fixture.send(
        jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD }, { "x-auth101-transport": "jwt" }),
      );
      expectErrorAnswer(answer, 400, "VALIDATION_ERROR");
    });

    it("expires a cookie the server does not accept, on the endpoints and the guard", async () => {
      for (const path of [at("/session"), PROTECTED_PATH]) {
        const answer = await fixture.send({ method: "GET", path, headers: withCookie("x.y.z") });
        expectErrorAnswer(answer, 401, "INVALID_TOKEN");
        expect(answer.headers["set-cookie"], describeAnswer(answer)).toBe(EXPIRED_COOKIE);
      }
    });

    it("lists and ends sessions by the cookie; a cross-site DELETE is refused and ends nothing", async () => {
      const signIn = await fixture.send(
        jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD }, { ...COOKIE_TRANSPORT, ...sameOrigin() }),
      );
      const ownToken = expectCookieSession(signIn);
      const listed = await fixture.send({ method: "GET", path: at("/sessions"), headers: withCookie(ownToken) });
      expect(listed.status, describeAnswer(listed)).toBe(200);
      const sessions = (listed.json as { sessions: { id: string; current: boolean }[] }).sessions;
      const current = sessions.find((session) => session.current);
      expect(current, describeAnswer(listed)).toBeDefined();
      const end = (headers: Record<string, string>): Promise<HttpAnswer> =>
        fixture.send({
          method: "DELETE",
          path: at(`/sessions/${current?.id}`),
          headers: { ...withCookie(ownToken), ...headers },
        });
      expectForbidden(await end({ "sec-fetch-site": "cross-site" }));
      await expectSignedIn(ownToken);
      const ended = await end(sameOrigin());
      expect(ended.status, describeAnswer(ended)).toBe(200);
      const after = await fixture.send({ method: "GET", path: at("/session"), headers: withCookie(ownToken) });
      expectErrorAnswer(after, 401, "INVALID_TOKEN");
      expect(after.headers["set-cookie"], describeAnswer(after)).toBe(EXPIRED_COOKIE);
    });

    it("expires the cookie on a same-origin sign-out", async () => {
      const signIn = await fixture.send(
        jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD }, { ...COOKIE_TRANSPORT, ...sameOrigin() }),
      );
      const ownToken = expectCookieSession(signIn);
      const out = await fixture.send({
        method: "POST",
        path: at("/sign-out"),
        headers: { ...withCookie(ownToken), ...sameOrigin() },
      });
      expect(out.status, describeAnswer(out)).toBe(200);
      expect(out.json).toEqual({ success: true });
      expect(out.headers["set-cookie"], describeAnswer(out)).toBe(EXPIRED_COOKIE);
      expectVary(out);
      const after = await fixture.send({ method: "GET", path: at("/session"), headers: withCookie(ownToken) });
      expectErrorAnswer(after, 401, "INVALID_TOKEN");
    });

    it("changes the password by the cookie: a new session in a new cookie, the old one ended; a cross-site change is refused", async () => {
      const signIn = await fixture.send(
        jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD }, { ...COOKIE_TRANSPORT, ...sameOrigin() }),
      );
      const ownToken = expectCookieSession(signIn);
      // The same password again: the change is what is under test, not the new password.
      const change = { current_password: GOOD_PASSWORD, new_password: GOOD_PASSWORD, revoke_other_sessions: false };
      expectForbidden(
        await fixture.send(
          jsonPost(at("/change-password"), change, { ...withCookie(ownToken), "sec-fetch-site": "same-site" }),
        ),
      );
      await expectSignedIn(ownToken);
      const changed = await fixture.send(
        jsonPost(at("/change-password"), change, { ...withCookie(ownToken), ...sameOrigin() }),
      );
      const newToken = expectCookieSession(changed);
      expect(newToken).not.toBe(ownToken);
      await expectSignedIn(newToken);
      const old = await fixture.send({ method: "GET", path: at("/session"), headers: withCookie(ownToken) });
      expectErrorAnswer(old, 401, "INVALID_TOKEN");
    });

    it("ends every session and expires the cookie on a same-origin sign-out of all sessions", async () => {
      const signIn = async (): Promise<string> =>
        expectCookieSession(
          await fixture.send(
            jsonPost(
              at("/sign-in/email"),
              { email, password: GOOD_PASSWORD },
              { ...COOKIE_TRANSPORT, ...sameOrigin() },
            ),
          ),
        );
      const [first, second] = [await signIn(), await signIn()];
      const outAll = (headers: Record<string, string>): Promise<HttpAnswer> =>
        fixture.send({ method: "POST", path: at("/sign-out/all"), headers: { ...withCookie(first), ...headers } });
      expectForbidden(await outAll({ origin: "http://evil.example" }));
      await expectSignedIn(second);
      const out = await outAll(sameOrigin());
      expect(out.status, describeAnswer(out)).toBe(200);
      expect(out.headers["set-cookie"], describeAnswer(out)).toBe(EXPIRED_COOKIE);
      for (const cookieToken of [first, second, token]) {
        const session = await fixture.send({ method: "GET", path: at("/session"), headers: withCookie(cookieToken) });
        expectErrorAnswer(session, 401, "INVALID_TOKEN");
      }
    });
  });
}
