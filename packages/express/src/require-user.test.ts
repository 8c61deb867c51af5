import type { User } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { HttpAnswer } from "@auth101/testing";
import { bearer, closedAfterEach, createTestAuth, FailingStore, fetchAnswer, postJson } from "@auth101/testing";
import type { Request } from "express";
import { describe, expect, expectTypeOf, it } from "vitest";
import { requireUser } from "./require-user.js";
import { auth101Router } from "./router.js";
import { EXPRESS_VERSIONS, serve } from "./test-support/serve.js";

describe.each(EXPRESS_VERSIONS)("%s", (_version, express) => {
  const start = closedAfterEach(serve);

  const credentials = { email: "grace@example.com", password: "a long enough password" };

  async function appWithProtectedRoute(store = new MemoryStore()) {
    const auth = createTestAuth(store);
    const app = express();
    app.use("/auth", auth101Router(auth));
    app.get("/me", requireUser(auth), (req, res) => {
      const user = req.authUser;
      res.json(user === undefined ? { missing: true } : { id: user.id, email: user.email });
    });
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
      const { origin, token, userId } = await appWithProtectedRoute();
      const me = await fetchAnswer(`${origin}/me`, { headers: bearer(token) });
      expect(me.status).toBe(200);
      expect(me.json).toEqual({ id: userId, email: credentials.email });
      // The Bearer scheme is case-insensitive (RFC 6750 / RFC 9110).
      expect((await fetchAnswer(`${origin}/me`, { headers: { authorization: `bearer ${token}` } })).status).toBe(200);
    });

    it("answers 401 UNAUTHORIZED without a token, INVALID_TOKEN for a bad one, with WWW-Authenticate", async () => {
      const { origin, token } = await appWithProtectedRoute();
      expect401(await fetchAnswer(`${origin}/me`), "UNAUTHORIZED");
      expect401(
        await fetchAnswer(`${origin}/me`, { headers: { authorization: `Basic ${btoa("a:b")}` } }),
        "UNAUTHORIZED",
      );
      expect401(await fetchAnswer(`${origin}/me`, { headers: bearer(`${token}x`) }), "INVALID_TOKEN");
      expect401(await fetchAnswer(`${origin}/me?token=${token}`), "UNAUTHORIZED");
    });

    it("answers 401 USER_NOT_FOUND once the user is deactivated, INVALID_TOKEN once deleted (the session went too)", async () => {
      const { origin, token, userId, store } = await appWithProtectedRoute();
      await store.setActive(userId, false);
      expect401(await fetchAnswer(`${origin}/me`, { headers: bearer(token) }), "USER_NOT_FOUND");
      await store.deleteUser(userId);
      expect401(await fetchAnswer(`${origin}/me`, { headers: bearer(token) }), "INVALID_TOKEN");
    });

    it("answers 503 STORE_UNAVAILABLE when the store is down", async () => {
      const { token } = await appWithProtectedRoute();
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
      const { origin, token } = await appWithProtectedRoute();
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
});
