import { Auth101, MemoryStore } from "@auth101/core";
import type { ConformanceServer, HttpAnswer } from "@auth101/testing";
import {
  bearer,
  createTestAuth,
  FailingStore,
  fetchAnswer,
  postJson,
  sendHttp,
  TEST_SECRET,
  tokenOf,
} from "@auth101/testing";
import { Router } from "@koa/router";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth101Router, requireUser } from "./index.js";
import { serve } from "./test-support/serve.js";

const PASSWORD = "correct horse battery";
let emailCount = 0;
const freshEmail = (): string => `koa-user-${++emailCount}@example.com`;

function expectError(reply: HttpAnswer, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers["content-type"]).toBe("application/json; charset=utf-8");
  expect(reply.json).toEqual({ error: { code, message: expect.any(String) } });
}

describe("auth101Router mounted with a prefix option", () => {
  const store = new MemoryStore();
  const auth = createTestAuth(store);
  let server: ConformanceServer;
  let base: string;

  beforeAll(async () => {
    const app = new Koa();
    const authRouter = auth101Router(auth, { prefix: "/auth" });
    app.use(authRouter.routes()).use(authRouter.allowedMethods());
    const appRouter = new Router();
    appRouter.get("/public", (ctx) => {
      ctx.body = { public: true };
    });
    app.use(appRouter.routes()).use(appRouter.allowedMethods());
    server = await serve(app);
    base = `${server.url}/auth`;
  });
  afterAll(() => server.close());

  describe("POST /sign-up/email", () => {
    it("creates the user and answers 200 { user, token } with Cache-Control: no-store", async () => {
      const email = freshEmail();
      const reply = await postJson(`${base}/sign-up/email`, { email, password: PASSWORD });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.json).toEqual({
        user: { id: expect.any(String), email, is_active: true },
        token: expect.any(String),
      });
      expect(reply.headers["cache-control"]).toBe("no-store");
      expect(reply.headers["content-type"]).toBe("application/json; charset=utf-8");
    });

    it("answers 409 USER_EXISTS for a registered email", async () => {
      const email = freshEmail();
      await postJson(`${base}/sign-up/email`, { email, password: PASSWORD });
      const reply = await postJson(`${base}/sign-up/email`, { email: email.toUpperCase(), password: PASSWORD });
      expectError(reply, 409, "USER_EXISTS");
    });

    it("answers 400 VALIDATION_ERROR for an invalid email, a short password or missing fields", async () => {
      expectError(
        await postJson(`${base}/sign-up/email`, { email: "nope", password: PASSWORD }),
        400,
        "VALIDATION_ERROR",
      );
      expectError(
        await postJson(`${base}/sign-up/email`, { email: freshEmail(), password: "short" }),
        400,
        "VALIDATION_ERROR",
      );
      expectError(await postJson(`${base}/sign-up/email`, { email: freshEmail() }), 400, "VALIDATION_ERROR");
      expectError(await postJson(`${base}/sign-up/email`, { email: 42, password: PASSWORD }), 400, "VALIDATION_ERROR");
      expectError(await postJson(`${base}/sign-up/email`, [1, 2]), 400, "VALIDATION_ERROR");
    });
  });

  describe("request bodies (no body parser mounted)", () => {
    const url = (): string => `${base}/sign-in/email`;

    it("answers 400 VALIDATION_ERROR as JSON for malformed JSON, never Koa's plain-text error", async () => {
      const reply = await fetchAnswer(url(), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"email":',
      });
      expectError(reply, 400, "VALIDATION_ERROR");
    });

    it("answers 400 for an empty body", async () => {
      expectError(await fetchAnswer(url(), { method: "POST" }), 400, "VALIDATION_ERROR");
      expectError(
        await fetchAnswer(url(), { method: "POST", headers: { "content-type": "application/json" }, body: "" }),
        400,
        "VALIDATION_ERROR",
      );
    });

    it("answers 415 VALIDATION_ERROR for a body that is not JSON", async () => {
      const text = await fetchAnswer(url(), {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "hello",
      });
      expectError(text, 415, "VALIDATION_ERROR");
      const form = await fetchAnswer(url(), {
        method: "POST",
        body: new URLSearchParams({ email: "a@b.co", password: PASSWORD }),
      });
      expectError(form, 415, "VALIDATION_ERROR");
    });

    it("accepts a JSON media type with parameters or a +json suffix", async () => {
      const email = freshEmail();
      const reply = await fetchAnswer(`${base}/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/vnd.example+json; charset=utf-8" },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(reply.status, reply.text).toBe(200);
    });

    it("answers 413 VALIDATION_ERROR for a body over 64 KiB, declared or streamed", async () => {
      const big = JSON.stringify({ email: freshEmail(), password: PASSWORD, padding: "x".repeat(70 * 1024) });
      expectError(await postJson(url(), JSON.parse(big)), 413, "VALIDATION_ERROR");

      const chunked = await sendHttp(server.url, {
        method: "POST",
        path: "/auth/sign-in/email",
        headers: { "content-type": "application/json" },
        body: `{"padding":"${"x".repeat(19 * 4096)}`,
        chunked: true,
      });
      expect(chunked.status).toBe(413);
      expect(chunked.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(JSON.parse(chunked.text)).toEqual({ error: { code: "VALIDATION_ERROR", message: expect.any(String) } });
    });

    it("accepts a body just under the limit", async () => {
      const email = freshEmail();
      const padding = "x".repeat(60 * 1024);
      const reply = await postJson(`${base}/sign-up/email`, { email, password: PASSWORD, padding });
      expect(reply.status, reply.text).toBe(200);
    });
  });

  describe("POST /sign-in/email", () => {
    it("answers 200 { user, token } for the right password", async () => {
      const email = freshEmail();
      await postJson(`${base}/sign-up/email`, { email, password: PASSWORD });
      const reply = await postJson(`${base}/sign-in/email`, { email, password: PASSWORD });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.json).toEqual({
        user: { id: expect.any(String), email, is_active: true },
        token: expect.any(String),
      });
      expect(reply.headers["cache-control"]).toBe("no-store");
    });

    it("answers 401 INVALID_CREDENTIALS with WWW-Authenticate for a wrong password or an unknown email", async () => {
      const email = freshEmail();
      await postJson(`${base}/sign-up/email`, { email, password: PASSWORD });
      for (const credentials of [
        { email, password: "wrong password" },
        { email: freshEmail(), password: PASSWORD },
      ]) {
        const reply = await postJson(`${base}/sign-in/email`, credentials);
        expectError(reply, 401, "INVALID_CREDENTIALS");
        expect(reply.headers["www-authenticate"]).toBe('Bearer realm="auth101"');
      }
    });
  });

  describe("GET /session and POST /sign-out", () => {
    let token: string;
    let userId: string;
    const email = freshEmail();

    beforeAll(async () => {
      const reply = await postJson(`${base}/sign-up/email`, { email, password: PASSWORD });
      token = tokenOf(reply);
      userId = (reply.json as { user: { id: string } }).user.id;
    });

    it("GET /session answers 200 { user } for a valid token, with any case of the Bearer scheme", async () => {
      for (const authorization of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`]) {
        const reply = await fetchAnswer(`${base}/session`, { headers: { authorization } });
        expect(reply.status, reply.text).toBe(200);
        expect(reply.json).toEqual({ user: { id: userId, email, is_active: true } });
        expect(reply.headers["cache-control"]).toBe("no-store");
      }
    });

    it("GET /session answers 401 UNAUTHORIZED without a token and 401 INVALID_TOKEN for a bad one", async () => {
      const missing = await fetchAnswer(`${base}/session`);
      expectError(missing, 401, "UNAUTHORIZED");
      expect(missing.headers["www-authenticate"]).toBe('Bearer realm="auth101"');

      const basic = await fetchAnswer(`${base}/session`, { headers: { authorization: "Basic dXNlcjpwYXNz" } });
      expectError(basic, 401, "UNAUTHORIZED");

      const bad = await fetchAnswer(`${base}/session`, { headers: bearer(`${token}x`) });
      expectError(bad, 401, "INVALID_TOKEN");
      expect(bad.headers["www-authenticate"]).toBe('Bearer realm="auth101", error="invalid_token"');
    });

    it("never reads the token from the query string", async () => {
      expectError(await fetchAnswer(`${base}/session?token=${token}&access_token=${token}`), 401, "UNAUTHORIZED");
    });

    it("POST /sign-out answers 200 { success: true } for a valid token and 401 without one", async () => {
      const reply = await fetchAnswer(`${base}/sign-out`, { method: "POST", headers: bearer(token) });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.json).toEqual({ success: true });
      expect(reply.headers["cache-control"]).toBe("no-store");

      const missing = await fetchAnswer(`${base}/sign-out`, { method: "POST" });
      expectError(missing, 401, "UNAUTHORIZED");
      expect(missing.headers["www-authenticate"]).toBe('Bearer realm="auth101"');
    });

    it("answers 401 INVALID_TOKEN once the user is gone: their sessions went with them", async () => {
      const other = await postJson(`${base}/sign-up/email`, { email: freshEmail(), password: PASSWORD });
      const otherToken = tokenOf(other);
      await store.deleteUser((other.json as { user: { id: string } }).user.id);
      const reply = await fetchAnswer(`${base}/session`, { headers: bearer(otherToken) });
      expectError(reply, 401, "INVALID_TOKEN");
      expect(reply.headers["www-authenticate"]).toBe('Bearer realm="auth101", error="invalid_token"');
    });
  });

  describe("methods", () => {
    it("answers the core's 405 with Allow for a wrong method, not @koa/router's", async () => {
      const cases = [
        { method: "GET", path: "/sign-up/email", allow: "POST" },
        { method: "PUT", path: "/sign-in/email", allow: "POST" },
        { method: "GET", path: "/sign-out", allow: "POST" },
        { method: "POST", path: "/session", allow: "GET" },
        { method: "DELETE", path: "/session", allow: "GET" },
        { method: "OPTIONS", path: "/session", allow: "GET" },
        { method: "PATCH", path: "/session", allow: "GET" },
      ];
      for (const { method, path, allow } of cases) {
        const reply = await fetchAnswer(`${base}${path}`, { method });
        expectError(reply, 405, "VALIDATION_ERROR");
        expect(reply.headers["allow"], `${method} ${path}`).toBe(allow);
      }
    });

    it("answers the core's 405 for methods @koa/router does not implement (where it would say 501)", async () => {
      for (const method of ["PROPFIND", "PURGE", "LOCK"]) {
        const reply = await sendHttp(server.url, { method, path: "/auth/session" });
        expect(reply.status, method).toBe(405);
        expect(reply.headers["allow"]).toBe("GET");
        expect(JSON.parse(reply.text)).toEqual({ error: { code: "VALIDATION_ERROR", message: expect.any(String) } });
      }
    });

    it("answers HEAD with the core's 405 and no body", async () => {
      const reply = await sendHttp(server.url, { method: "HEAD", path: "/auth/session" });
      expect(reply.status).toBe(405);
      expect(reply.headers["allow"]).toBe("GET");
      expect(reply.text).toBe("");
    });
  });

  describe("paths that are not auth endpoints", () => {
    it("passes them on to the rest of the app", async () => {
      expect((await fetchAnswer(`${server.url}/public`)).json).toEqual({ public: true });
      expect((await fetchAnswer(`${base}/unknown`)).status).toBe(404);
      expect((await fetchAnswer(`${server.url}/session`)).status).toBe(404);
    });

    it("matches the endpoint paths exactly, as the core routes them", async () => {
      expect((await fetchAnswer(`${base}/session/`)).status).toBe(404);
      expect((await fetchAnswer(`${base}/SESSION`)).status).toBe(404);
      expect((await fetchAnswer(`${base}/session/extra`)).status).toBe(404);
    });

    it("ignores the query string when routing", async () => {
      expectError(await fetchAnswer(`${base}/session?x=1`), 401, "UNAUTHORIZED");
    });
  });
});

describe("auth101Router with a store that is down", () => {
  let server: ConformanceServer;

  beforeAll(async () => {
    const auth = createTestAuth(new FailingStore());
    const app = new Koa();
    const authRouter = auth101Router(auth, { prefix: "/auth" });
    app.use(authRouter.routes()).use(authRouter.allowedMethods());
    const appRouter = new Router();
    appRouter.get("/me", requireUser(auth), (ctx) => {
      ctx.body = { id: ctx.state.authUser.id };
    });
    app.use(appRouter.routes());
    server = await serve(app);
  });
  afterAll(() => server.close());

  it("answers 503 STORE_UNAVAILABLE on the endpoints", async () => {
    const credentials = { email: "someone@example.com", password: PASSWORD };
    const signUp = await postJson(`${server.url}/auth/sign-up/email`, credentials);
    expectError(signUp, 503, "STORE_UNAVAILABLE");
    expect(signUp.text).not.toContain("ECONNREFUSED");
    expectError(await postJson(`${server.url}/auth/sign-in/email`, credentials), 503, "STORE_UNAVAILABLE");
  });

  it("answers 503 STORE_UNAVAILABLE from requireUser when a valid token cannot be checked", async () => {
    const token = await createTestAuth().signUp("someone@example.com", PASSWORD);
    if (!("token" in token)) throw new Error(JSON.stringify(token));
    expectError(await fetchAnswer(`${server.url}/me`, { headers: bearer(token.token) }), 503, "STORE_UNAVAILABLE");
    expectError(
      await fetchAnswer(`${server.url}/auth/session`, { headers: bearer(token.token) }),
      503,
      "STORE_UNAVAILABLE",
    );
  });
});

describe("mounting", () => {
  const servers: ConformanceServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  async function signUpAt(url: string): Promise<HttpAnswer> {
    return postJson(url, { email: freshEmail(), password: PASSWORD });
  }

  it("serves under a non-default prefix option", async () => {
    const auth = createTestAuth();
    const app = new Koa();
    app.use(auth101Router(auth, { prefix: "/api/v1/identity" }).routes());
    const server = await serve(app);
    servers.push(server);
    expect((await signUpAt(`${server.url}/api/v1/identity/sign-up/email`)).status).toBe(200);
    expect((await signUpAt(`${server.url}/auth/sign-up/email`)).status).toBe(404);
  });

  it("serves at the root without a prefix", async () => {
    const app = new Koa();
    app.use(auth101Router(createTestAuth()).routes());
    const server = await serve(app);
    servers.push(server);
    expect((await signUpAt(`${server.url}/sign-up/email`)).status).toBe(200);
  });

  it("nests in a parent router the Koa way, allowedMethods() included", async () => {
    const auth = createTestAuth();
    const authRouter = auth101Router(auth);
    const api = new Router({ prefix: "/api" });
    api.use("/auth", authRouter.routes(), authRouter.allowedMethods());
    api.get("/me", requireUser(auth), (ctx) => {
      ctx.body = { email: ctx.state.authUser.email };
    });
    const app = new Koa();
    app.use(api.routes()).use(api.allowedMethods());
    const server = await serve(app);
    servers.push(server);

    const signUp = await signUpAt(`${server.url}/api/auth/sign-up/email`);
    expect(signUp.status, signUp.text).toBe(200);
    const session = await fetchAnswer(`${server.url}/api/auth/session`, { headers: bearer(tokenOf(signUp)) });
    expect(session.status).toBe(200);
    const me = await fetchAnswer(`${server.url}/api/me`, { headers: bearer(tokenOf(signUp)) });
    expect(me.json).toEqual({ email: (signUp.json as { user: { email: string } }).user.email });

    const wrongMethod = await sendHttp(server.url, { method: "PROPFIND", path: "/api/auth/sign-in/email" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers["allow"]).toBe("POST");
  });

  it("keeps the core's answers when allowedMethods({ throw: true }) is mounted", async () => {
    const authRouter = auth101Router(createTestAuth(), { prefix: "/auth" });
    const app = new Koa();
    app.use(authRouter.routes()).use(authRouter.allowedMethods({ throw: true }));
    const server = await serve(app);
    servers.push(server);
    for (const method of ["GET", "OPTIONS", "PURGE"]) {
      const reply = await sendHttp(server.url, { method, path: "/auth/sign-up/email" });
      expect(reply.status, method).toBe(405);
      expect(reply.headers["allow"]).toBe("POST");
      expect(reply.headers["content-type"]).toBe("application/json; charset=utf-8");
    }
  });

  it("answers the auth paths itself when mounted after the app's error handler and other middleware", async () => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      await next();
      ctx.set("x-after-auth", "seen");
    });
    app.use(auth101Router(createTestAuth(), { prefix: "/auth" }).routes());
    const server = await serve(app);
    servers.push(server);
    const reply = await fetchAnswer(`${server.url}/auth/session`);
    expect(reply.status).toBe(401);
    expect(reply.headers["x-after-auth"]).toBe("seen");
  });
});

describe("the client address brute-force protection counts (ctx.ip)", () => {
  const servers: ConformanceServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  async function start(proxy: boolean): Promise<string> {
    const auth = new Auth101({
      secret: TEST_SECRET,
      rateLimit: { signInPerAddress: { attempts: 2, windowSeconds: 60 } },
      onFailure: () => {},
    });
    const app = new Koa({ proxy });
    app.use(auth101Router(auth, { prefix: "/auth" }).routes());
    const server = await serve(app);
    servers.push(server);
    return `${server.url}/auth/sign-in/email`;
  }

  const attempt = (url: string, forwardedFor: string): Promise<HttpAnswer> =>
    postJson(url, { email: freshEmail(), password: PASSWORD }, { "x-forwarded-for": forwardedFor });

  it("ignores X-Forwarded-For by default: every attempt counts against the socket's address", async () => {
    const url = await start(false);
    expectError(await attempt(url, "203.0.113.1"), 401, "INVALID_CREDENTIALS");
    expectError(await attempt(url, "203.0.113.2"), 401, "INVALID_CREDENTIALS");
    const throttled = await attempt(url, "203.0.113.3");
    expectError(throttled, 429, "RATE_LIMITED");
    expect(Number(throttled.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("counts per forwarded client when app.proxy is set", async () => {
    const url = await start(true);
    for (const address of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) {
      expectError(await attempt(url, address), 401, "INVALID_CREDENTIALS");
    }
    expectError(await attempt(url, "203.0.113.1"), 401, "INVALID_CREDENTIALS");
    expectError(await attempt(url, "203.0.113.1"), 429, "RATE_LIMITED");
  });
});
