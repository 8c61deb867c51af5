import type { User } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { Request } from "express";
import { describe, expect, expectTypeOf, it } from "vitest";
import { requireUser } from "./require-user.js";
import { auth101Router } from "./router.js";
import {
  bearer,
  createAuth,
  postJson,
  request,
  startAppsClosedAfterEach,
  unavailableStore,
} from "./test-helpers/serve.js";
import { EXPRESS_VERSIONS } from "./test-helpers/express-versions.js";

describe.each(EXPRESS_VERSIONS)("%s", (_version, express) => {
  const start = startAppsClosedAfterEach();

  const credentials = { email: "grace@example.com", password: "a long enough password" };

  async function appWithProtectedRoute(store = new MemoryStore()) {
    const auth = createAuth(store);
    const app = express();
    app.use("/auth", auth101Router(auth));
    app.get("/me", requireUser(auth), (req, res) => {
      const user = req.authUser;
      res.json(user === undefined ? { missing: true } : { id: user.id, email: user.email });
    });
    app.get("/public", (req, res) => {
      res.json({ authUser: req.authUser ?? null });
    });
    const origin = await start(app);
    const signUp = await postJson(`${origin}/auth/sign-up/email`, credentials);
    const { token, user } = signUp.body as { token: string; user: { id: string } };
    return { origin, token, userId: user.id, store };
  }

  function expect401(response: { status: number; headers: Headers; body: unknown; text: string }, code: string): void {
    expect(response.status, response.text).toBe(401);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="auth101"/);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  }

  describe("requireUser", () => {
    it("puts the signed-in user on req.authUser and lets the route answer", async () => {
      const { origin, token, userId } = await appWithProtectedRoute();
      const me = await request(`${origin}/me`, { headers: bearer(token) });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ id: userId, email: credentials.email });
      // The Bearer scheme is case-insensitive (RFC 6750 / RFC 9110).
      expect((await request(`${origin}/me`, { headers: { authorization: `bearer ${token}` } })).status).toBe(200);
    });

    it("answers 401 UNAUTHORIZED without a token, INVALID_TOKEN for a bad one, with WWW-Authenticate", async () => {
      const { origin, token } = await appWithProtectedRoute();
      expect401(await request(`${origin}/me`), "UNAUTHORIZED");
      expect401(await request(`${origin}/me`, { headers: { authorization: `Basic ${btoa("a:b")}` } }), "UNAUTHORIZED");
      expect401(await request(`${origin}/me`, { headers: bearer(`${token}x`) }), "INVALID_TOKEN");
      expect401(await request(`${origin}/me?token=${token}`), "UNAUTHORIZED");
    });

    it("answers 401 USER_NOT_FOUND once the user is deactivated, INVALID_TOKEN once deleted (the session went too)", async () => {
      const { origin, token, userId, store } = await appWithProtectedRoute();
      await store.setActive(userId, false);
      expect401(await request(`${origin}/me`, { headers: bearer(token) }), "USER_NOT_FOUND");
      await store.deleteUser(userId);
      expect401(await request(`${origin}/me`, { headers: bearer(token) }), "INVALID_TOKEN");
    });

    it("answers 503 STORE_UNAVAILABLE when the store is down", async () => {
      const { token } = await appWithProtectedRoute();
      const auth = createAuth(unavailableStore());
      const app = express();
      app.get("/me", requireUser(auth), (_req, res) => {
        res.json({ reached: true });
      });
      const origin = await start(app);
      const me = await request(`${origin}/me`, { headers: bearer(token) });
      expect(me.status).toBe(503);
      expect(me.body).toEqual({ error: { code: "STORE_UNAVAILABLE", message: expect.any(String) } });
    });

    it("leaves req.authUser unset on routes it does not guard", async () => {
      const { origin, token } = await appWithProtectedRoute();
      expect((await request(`${origin}/public`, { headers: bearer(token) })).body).toEqual({ authUser: null });
    });

    it("guards every route of a router it is mounted on", async () => {
      const auth = createAuth();
      const account = express.Router();
      account.use(requireUser(auth));
      account.get("/settings", (req, res) => {
        res.json({ email: req.authUser?.email });
      });
      const app = express();
      app.use("/auth", auth101Router(auth));
      app.use("/account", account);
      const origin = await start(app);
      const { token } = (await postJson(`${origin}/auth/sign-up/email`, credentials)).body as { token: string };
      expect((await request(`${origin}/account/settings`, { headers: bearer(token) })).body).toEqual({
        email: credentials.email,
      });
      expect401(await request(`${origin}/account/settings`), "UNAUTHORIZED");
    });

    it("types req.authUser as the core's User, optional", () => {
      expectTypeOf<Request["authUser"]>().toEqualTypeOf<User | undefined>();
    });
  });
});
