import { request as httpRequest } from "node:http";
import { Auth101, MemoryStore } from "@auth101/core";
import { Router } from "@koa/router";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth101Router, requireUser } from "./index.js";
import type { Reply, RunningServer } from "./test-support.js";
import {
  bearer,
  createTestAuth,
  listen,
  postJson,
  send,
  TEST_SECRET,
  tokenOf,
  UnavailableStore,
} from "./test-support.js";

const PASSWORD = "correct horse battery";
let emailCount = 0;
const freshEmail = (): string => `koa-user-${++emailCount}@example.com`;

function expectError(reply: Reply, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(reply.body).toEqual({ error: { code, message: expect.any(String) } });
}

/** Sends a request with any method and an optionally chunked body, which fetch cannot always do. */
function rawRequest(
  url: string,
  options: { method: string; headers?: Record<string, string>; chunks?: readonly string[] },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method, headers: options.headers ?? {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on("error", reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

describe("auth101Router mounted with a prefix option", () => {
  const store = new MemoryStore();
  const auth = createTestAuth(store);
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    const app = new Koa();
    const authRouter = auth101Router(auth, { prefix: "/auth" });
    app.use(authRouter.routes()).use(authRouter.allowedMethods());
    const appRouter = new Router();
    appRouter.get("/me", requireUser(auth), (ctx) => {
      ctx.body = { id: ctx.state.authUser.id, email: ctx.state.authUser.email };
    });
    appRouter.get("/public", (ctx) => {
      ctx.body = { public: true };
    });
    app.use(appRouter.routes()).use(appRouter.allowedMethods());
    server = await listen(app);
    base = `${server.url}/auth`;
  });
  afterAll(() => server.close());

  describe("POST /sign-up/email", () => {
    it("creates the user and answers 200 { user, token } with Cache-Control: no-store", async () => {
      const email = freshEmail();
      const reply = await postJson(`${base}/sign-up/email`, { email, password: PASSWORD });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body).toEqual({
        user: { id: expect.any(String), email, is_active: true },
        token: expect.any(String),
      });
      expect(reply.headers.get("cache-control")).toBe("no-store");
      expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
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
      const reply = await send(url(), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"email":',
      });
      expectError(reply, 400, "VALIDATION_ERROR");
    });

    it("answers 400 for an empty body", async () => {
      expectError(await send(url(), { method: "POST" }), 400, "VALIDATION_ERROR");
      expectError(
        await send(url(), { method: "POST", headers: { "content-type": "application/json" }, body: "" }),
        400,
        "VALIDATION_ERROR",
      );
    });

    it("answers 415 VALIDATION_ERROR for a body that is not JSON", async () => {
      const text = await send(url(), { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
      expectError(text, 415, "VALIDATION_ERROR");
      const form = await send(url(), {
        method: "POST",
        body: new URLSearchParams({ email: "a@b.co", password: PASSWORD }),
      });
      expectError(form, 415, "VALIDATION_ERROR");
    });

    it("accepts a JSON media type with parameters or a +json suffix", async () => {
      const email = freshEmail();
      const reply = await send(`${base}/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/vnd.example+json; charset=utf-8" },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(reply.status, reply.text).toBe(200);
    });

    it("answers 413 VALIDATION_ERROR for a body over 64 KiB, declared or streamed", async () => {
      const big = JSON.stringify({ email: freshEmail(), password: PASSWORD, padding: "x".repeat(70 * 1024) });
      expectError(await postJson(url(), JSON.parse(big)), 413, "VALIDATION_ERROR");

      const chunked = await rawRequest(url(), {
        method: "POST",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
        chunks: Array.from({ length: 20 }, (_, i) => (i === 0 ? '{"padding":"' : "x".repeat(4096))),
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
      expect(reply.body).toEqual({
        user: { id: expect.any(String), email, is_active: true },
        token: expect.any(String),
      });
      expect(reply.headers.get("cache-control")).toBe("no-store");
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
        expect(reply.headers.get("www-authenticate")).toBe('Bearer realm="auth101"');
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
      userId = (reply.body as { user: { id: string } }).user.id;
    });

    it("GET /session answers 200 { user } for a valid token, with any case of the Bearer scheme", async () => {
      for (const authorization of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`]) {
        const reply = await send(`${base}/session`, { headers: { authorization } });
        expect(reply.status, reply.text).toBe(200);
        expect(reply.body).toEqual({ user: { id: userId, email, is_active: true } });
        expect(reply.headers.get("cache-control")).toBe("no-store");
      }
    });

    it("GET /session answers 401 UNAUTHORIZED without a token and 401 INVALID_TOKEN for a bad one", async () => {
      const missing = await send(`${base}/session`);
      expectError(missing, 401, "UNAUTHORIZED");
      expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="auth101"');

      const basic = await send(`${base}/session`, { headers: { authorization: "Basic dXNlcjpwYXNz" } });
      expectError(basic, 401, "UNAUTHORIZED");

      const bad = await send(`${base}/session`, { headers: bearer(`${token}x`) });
      expectError(bad, 401, "INVALID_TOKEN");
      expect(bad.headers.get("www-authenticate")).toBe('Bearer realm="auth101", error="invalid_token"');
    });

    it("never reads the token from the query string", async () => {
      expectError(await send(`${base}/session?token=${token}&access_token=${token}`), 401, "UNAUTHORIZED");
    });

    it("POST /sign-out answers 200 { success: true } for a valid token and 401 without one", async () => {
      const reply = await send(`${base}/sign-out`, { method: "POST", headers: bearer(token) });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body).toEqual({ success: true });
      expect(reply.headers.get("cache-control")).toBe("no-store");

      const missing = await send(`${base}/sign-out`, { method: "POST" });
      expectError(missing, 401, "UNAUTHORIZED");
      expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="auth101"');
    });

    it("answers 401 USER_NOT_FOUND once the user is gone", async () => {
      const other = await postJson(`${base}/sign-up/email`, { email: freshEmail(), password: PASSWORD });
      const otherToken = tokenOf(other);
      await store.delete((other.body as { user: { id: string } }).user.id);
      const reply = await send(`${base}/session`, { headers: bearer(otherToken) });
      expectError(reply, 401, "USER_NOT_FOUND");
      expect(reply.headers.get("www-authenticate")).toBe('Bearer realm="auth101", error="invalid_token"');
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
        const reply = await send(`${base}${path}`, { method });
        expectError(reply, 405, "VALIDATION_ERROR");
        expect(reply.headers.get("allow"), `${method} ${path}`).toBe(allow);
      }
    });

    it("answers the core's 405 for methods @koa/router does not implement (where it would say 501)", async () => {
      for (const method of ["PROPFIND", "PURGE", "LOCK"]) {
        const reply = await rawRequest(`${base}/session`, { method });
        expect(reply.status, method).toBe(405);
        expect(reply.headers["allow"]).toBe("GET");
        expect(JSON.parse(reply.text)).toEqual({ error: { code: "VALIDATION_ERROR", message: expect.any(String) } });
      }
    });

    it("answers HEAD with the core's 405 and no body", async () => {
      const reply = await rawRequest(`${base}/session`, { method: "HEAD" });
      expect(reply.status).toBe(405);
      expect(reply.headers["allow"]).toBe("GET");
      expect(reply.text).toBe("");
    });
  });

  describe("paths that are not auth endpoints", () => {
    it("passes them on to the rest of the app", async () => {
      expect((await send(`${server.url}/public`)).body).toEqual({ public: true });
      expect((await send(`${base}/unknown`)).status).toBe(404);
      expect((await send(`${server.url}/session`)).status).toBe(404);
    });

    it("matches the endpoint paths exactly, as the core routes them", async () => {
      expect((await send(`${base}/session/`)).status).toBe(404);
      expect((await send(`${base}/SESSION`)).status).toBe(404);
      expect((await send(`${base}/session/extra`)).status).toBe(404);
    });

    it("ignores the query string when routing", async () => {
      expectError(await send(`${base}/session?x=1`), 401, "UNAUTHORIZED");
    });
  });

  describe("requireUser on an app route", () => {
    it("hands the route the User on ctx.state.authUser", async () => {
      const email = freshEmail();
      const signUp = await postJson(`${base}/sign-up/email`, { email, password: PASSWORD });
      const reply = await send(`${server.url}/me`, { headers: bearer(tokenOf(signUp)) });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body).toEqual({ id: (signUp.body as { user: { id: string } }).user.id, email });
    });

    it("answers the 401 variants with WWW-Authenticate and the error body", async () => {
      const missing = await send(`${server.url}/me`);
      expectError(missing, 401, "UNAUTHORIZED");
      expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="auth101"');

      const invalid = await send(`${server.url}/me`, { headers: bearer("not.a.token") });
      expectError(invalid, 401, "INVALID_TOKEN");
      expect(invalid.headers.get("www-authenticate")).toBe('Bearer realm="auth101", error="invalid_token"');

      const signUp = await postJson(`${base}/sign-up/email`, { email: freshEmail(), password: PASSWORD });
      await store.setActive((signUp.body as { user: { id: string } }).user.id, false);
      const deactivated = await send(`${server.url}/me`, { headers: bearer(tokenOf(signUp)) });
      expectError(deactivated, 401, "USER_NOT_FOUND");
    });
  });
});

describe("auth101Router with a store that is down", () => {
  let server: RunningServer;

  beforeAll(async () => {
    const auth = createTestAuth(new UnavailableStore());
    const app = new Koa();
    const authRouter = auth101Router(auth, { prefix: "/auth" });
    app.use(authRouter.routes()).use(authRouter.allowedMethods());
    const appRouter = new Router();
    appRouter.get("/me", requireUser(auth), (ctx) => {
      ctx.body = { id: ctx.state.authUser.id };
    });
    app.use(appRouter.routes());
    server = await listen(app);
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
    expectError(await send(`${server.url}/me`, { headers: bearer(token.token) }), 503, "STORE_UNAVAILABLE");
    expectError(await send(`${server.url}/auth/session`, { headers: bearer(token.token) }), 503, "STORE_UNAVAILABLE");
  });
});

describe("mounting", () => {
  const servers: RunningServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  async function signUpAt(url: string): Promise<Reply> {
    return postJson(url, { email: freshEmail(), password: PASSWORD });
  }

  it("serves under a non-default prefix option", async () => {
    const auth = createTestAuth();
    const app = new Koa();
    app.use(auth101Router(auth, { prefix: "/api/v1/identity" }).routes());
    const server = await listen(app);
    servers.push(server);
    expect((await signUpAt(`${server.url}/api/v1/identity/sign-up/email`)).status).toBe(200);
    expect((await signUpAt(`${server.url}/auth/sign-up/email`)).status).toBe(404);
  });

  it("serves at the root without a prefix", async () => {
    const app = new Koa();
    app.use(auth101Router(createTestAuth()).routes());
    const server = await listen(app);
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
    const server = await listen(app);
    servers.push(server);

    const signUp = await signUpAt(`${server.url}/api/auth/sign-up/email`);
    expect(signUp.status, signUp.text).toBe(200);
    const session = await send(`${server.url}/api/auth/session`, { headers: bearer(tokenOf(signUp)) });
    expect(session.status).toBe(200);
    const me = await send(`${server.url}/api/me`, { headers: bearer(tokenOf(signUp)) });
    expect(me.body).toEqual({ email: (signUp.body as { user: { email: string } }).user.email });

    const wrongMethod = await rawRequest(`${server.url}/api/auth/sign-in/email`, { method: "PROPFIND" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers["allow"]).toBe("POST");
  });

  it("keeps the core's answers when allowedMethods({ throw: true }) is mounted", async () => {
    const authRouter = auth101Router(createTestAuth(), { prefix: "/auth" });
    const app = new Koa();
    app.use(authRouter.routes()).use(authRouter.allowedMethods({ throw: true }));
    const server = await listen(app);
    servers.push(server);
    for (const method of ["GET", "OPTIONS", "PURGE"]) {
      const reply = await rawRequest(`${server.url}/auth/sign-up/email`, { method });
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
    const server = await listen(app);
    servers.push(server);
    const reply = await send(`${server.url}/auth/session`);
    expect(reply.status).toBe(401);
    expect(reply.headers.get("x-after-auth")).toBe("seen");
  });
});

describe("the client address brute-force protection counts (ctx.ip)", () => {
  const servers: RunningServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  async function start(proxy: boolean): Promise<string> {
    const auth = new Auth101({
      secret: TEST_SECRET,
      rateLimit: { signInPerAddress: { attempts: 2, windowSeconds: 60 } },
      onFailure: () => {},
    });
    const app = new Koa({ proxy });
    app.use(auth101Router(auth, { prefix: "/auth" }).routes());
    const server = await listen(app);
    servers.push(server);
    return `${server.url}/auth/sign-in/email`;
  }

  const attempt = (url: string, forwardedFor: string): Promise<Reply> =>
    postJson(url, { email: freshEmail(), password: PASSWORD }, { "x-forwarded-for": forwardedFor });

  it("ignores X-Forwarded-For by default: every attempt counts against the socket's address", async () => {
    const url = await start(false);
    expectError(await attempt(url, "203.0.113.1"), 401, "INVALID_CREDENTIALS");
    expectError(await attempt(url, "203.0.113.2"), 401, "INVALID_CREDENTIALS");
    const throttled = await attempt(url, "203.0.113.3");
    expectError(throttled, 429, "RATE_LIMITED");
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
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
