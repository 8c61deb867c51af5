import type { User } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { HttpAnswer } from "@auth101/testing";
import { bearer, closedAfterEach, createTestAuth, FailingStore, fetchAnswer, postJson } from "@auth101/testing";
import type { Request, RequestHandler } from "express";
import { describe, expect, expectTypeOf, it } from "vitest";
import { optionalUser, requireUser } from "./require-user.js";
import { auth101Router } from "./router.js";
import { EXPRESS_VERSIONS, serve } from "./test-support/serve.js";

describe.each(EXPRESS_VERSIONS)("%s", (_version, express) => {
  const start = closedAfterEach(serve);

  const credentials = { email: "grace@example.com", password: "a long enough password" };

  const signedInAs: RequestHandler = (req, res) => {
    res.json({ signedInAs: req.authUser?.email ?? null });
  };

  /** The endpoints, `/me` behind requireUser, `/home` behind optionalUser, `/public` behind neither; grace signed up. */
  async function appWithGuardedRoutes(store = new MemoryStore()) {
    const auth = createTestAuth(store);
    const app = express();
    app.use("/auth", auth101Router(auth));
    app.get("/me", requireUser(auth), (req, res) => {
      const user = req.authUser;
      res.json(user === undefined ? { missing: true } : { id: user.id, email: user.email });
    });
    app.get("/home", optionalUser(auth), signedInAs);
    app.get("/public", (req, res) => {
      res.json({ authUser: req.authUser ?? null });
    });
    const origin = (await start(app)).url;
    const signUp = await postJson(`${origin}/auth/sign-up/email`, credentials);
    const { token, user } = signUp.json as { token: string; user: { id: string } };
    return { origin, token, userId: user.id, store };
  }

  function expect401(response: HttpAnswer, code: string): void {
    expect(response.status, response.text).toBe(401);
    expect(response.json).toEqual({ error: { code, message: expect.any(String) } });
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm="auth101"/);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
  }

  describe("requireUser", () => {
    it("puts the signed-in user on req.authUser and lets the route answer", async () => {
      const { origin, token, userId } = await appWithGuardedRoutes();
      const me = await fetchAnswer(`${origin}/me`, { headers: bearer(token) });
      expect(me.status).toBe(200);
      expect(me.json).toEqual({ id: userId, email: credentials.email });
      // The Bearer scheme is case-insensitive (RFC 6750 / RFC 9110).
      expect((await fetchAnswer(`${origin}/me`, { headers: { authorization: `bearer ${token}` } })).status).toBe(200);
    });

    it("answers 401 UNAUTHORIZED without a token, INVALID_TOKEN for a bad one, with WWW-Authenticate", async () => {
      const { origin, token } = await appWithGuardedRoutes();
      expect401(await fetchAnswer(`${origin}/me`), "UNAUTHORIZED");
      expect401(
        await fetchAnswer(`${origin}/me`, { headers: { authorization: `Basic ${btoa("a:b")}` } }),
        "UNAUTHORIZED",
      );
      expect401(await fetchAnswer(`${origin}/me`, { headers: bearer(`${token}x`) }), "INVALID_TOKEN");
      expect401(await fetchAnswer(`${origin}/me?token=${token}`), "UNAUTHORIZED");
    });

    it("answers 401 USER_NOT_FOUND once the user is deactivated, INVALID_TOKEN once deleted (the session went too)", async () => {
      const { origin, token, userId, store } = await appWithGuardedRoutes();
      await store.setActive(userId, false);
      expect401(await fetchAnswer(`${origin}/me`, { headers: bearer(token) }), "USER_NOT_FOUND");
      await store.deleteUser(userId);
      expect401(await fetchAnswer(`${origin}/me`, { headers: bearer(token) }), "INVALID_TOKEN");
    });

    it("answers 503 STORE_UNAVAILABLE when the store is down", async () => {
      const { token } = await appWithGuardedRoutes();
      const auth = createTestAuth(new FailingStore());
      const app = express();
      app.get("/me", requireUser(auth), (_req, res) => {
        res.json({ reached: true });
      });
      const origin = (await start(app)).url;
      const me = await fetchAnswer(`${origin}/me`, { headers: bearer(token) });
      expect(me.status).toBe(503);
      expect(me.json).toEqual({ error: { code: "STORE_UNAVAILABLE", message: expect.any(String) } });
    });

    it("leaves req.authUser unset on routes it does not guard", async () => {
      const { origin, token } = await appWithGuardedRoutes();
      expect((await fetchAnswer(`${origin}/public`, { headers: bearer(token) })).json).toEqual({ authUser: null });
    });

    it("guards every route of a router it is mounted on", async () => {
      const auth = createTestAuth();
      const account = express.Router();
      account.use(requireUser(auth));
      account.get("/settings", (req, res) => {
        res.json({ email: req.authUser?.email });
      });
      const app = express();
      app.use("/auth", auth101Router(auth));
      app.use("/account", account);
      const origin = (await start(app)).url;
      const { token } = (await postJson(`${origin}/auth/sign-up/email`, credentials)).json as { token: string };
      expect((await fetchAnswer(`${origin}/account/settings`, { headers: bearer(token) })).json).toEqual({
        email: credentials.email,
      });
      expect401(await fetchAnswer(`${origin}/account/settings`), "UNAUTHORIZED");
    });

    it("types req.authUser as the core's User, optional", () => {
      expectTypeOf<Request["authUser"]>().toEqualTypeOf<User | undefined>();
    });
  });

  describe("optionalUser", () => {
    it("attaches the user of the browser's session cookie, and treats a dead cookie as anonymous", async () => {
      const { origin } = await appWithGuardedRoutes();
      const signUp = await postJson(
        `${origin}/auth/sign-up/email`,
        { email: "bea@example.com", password: "a long enough password" },
        { "x-auth101-transport": "cookie", "sec-fetch-site": "same-origin" },
      );
      const cookie = (signUp.headers["set-cookie"] ?? "").split(";")[0] ?? "";
      expect(cookie).toMatch(/^__Host-auth101_session=eyJ/);
      expect((await fetchAnswer(`${origin}/home`, { headers: { cookie } })).json).toEqual({
        signedInAs: "bea@example.com",
      });
      await fetchAnswer(`${origin}/auth/sign-out`, {
        method: "POST",
        headers: { cookie, "sec-fetch-site": "same-origin" },
      });
      expect((await fetchAnswer(`${origin}/home`, { headers: { cookie } })).json).toEqual({ signedInAs: null });
    });

    it("attaches the user of a valid token and lets anonymous requests through", async () => {
      const { origin, token } = await appWithGuardedRoutes();
      expect((await fetchAnswer(`${origin}/home`, { headers: bearer(token) })).json).toEqual({
        signedInAs: credentials.email,
      });
      expect((await fetchAnswer(`${origin}/home`)).json).toEqual({ signedInAs: null });
      expect((await fetchAnswer(`${origin}/home`, { headers: bearer("not.a.token") })).json).toEqual({
        signedInAs: null,
      });
      // A signed-out token is anonymous from the next request on.
      await fetchAnswer(`${origin}/auth/sign-out`, { method: "POST", headers: bearer(token) });
      const after = await fetchAnswer(`${origin}/home`, { headers: bearer(token) });
      expect(after.status).toBe(200);
      expect(after.json).toEqual({ signedInAs: null });
    });

    it("answers 503 when the store is down, never a silent anonymous", async () => {
      const { token } = await appWithGuardedRoutes();
      const app = express();
      app.get("/home", optionalUser(createTestAuth(new FailingStore())), signedInAs);
      const origin = (await start(app)).url;
      const answer = await fetchAnswer(`${origin}/home`, { headers: bearer(token) });
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: "STORE_UNAVAILABLE" } });
      expect((await fetchAnswer(`${origin}/home`)).json).toEqual({ signedInAs: null });
    });
  });
});
