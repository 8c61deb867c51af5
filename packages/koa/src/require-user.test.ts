import type { User, UserStore } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { HttpAnswer } from "@auth101/testing";
import {
  bearer,
  closedAfterEach,
  createTestAuth,
  FailingStore,
  fetchAnswer,
  postJson,
  tokenOf,
} from "@auth101/testing";
import { Router } from "@koa/router";
import Koa from "koa";
import { describe, expect, expectTypeOf, it } from "vitest";
import { auth101Router, optionalUser, requireUser } from "./index.js";
import { serve } from "./test-support/serve.js";

const PASSWORD = "a long enough password";

function expectError(reply: HttpAnswer, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers["content-type"]).toBe("application/json; charset=utf-8");
  expect(reply.json).toEqual({ error: { code, message: expect.any(String) } });
}

const serveForTest = closedAfterEach(serve);

/** The endpoints under /auth, `/me` behind requireUser, `/home` behind optionalUser; resolves the app's URL. */
async function start(store: UserStore = new MemoryStore()): Promise<string> {
  const auth = createTestAuth(store);
  const app = new Koa();
  app.use(auth101Router(auth, { prefix: "/auth" }).routes());
  const router = new Router();
  router.get("/me", requireUser(auth), (ctx) => {
    ctx.body = { id: ctx.state.authUser.id, email: ctx.state.authUser.email };
  });
  router.get("/home", optionalUser(auth), (ctx) => {
    ctx.body = { signedInAs: ctx.state.authUser?.email ?? null };
  });
  app.use(router.routes());
  return (await serveForTest(app)).url;
}

describe("requireUser", () => {
  it("hands the route the User on ctx.state.authUser", async () => {
    const url = await start();
    const email = "ada@example.com";
    const signUp = await postJson(`${url}/auth/sign-up/email`, { email, password: PASSWORD });
    const reply = await fetchAnswer(`${url}/me`, { headers: bearer(tokenOf(signUp)) });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toEqual({ id: (signUp.json as { user: { id: string } }).user.id, email });
  });

  it("answers the 401 variants with WWW-Authenticate and the error body", async () => {
    const store = new MemoryStore();
    const url = await start(store);
    const missing = await fetchAnswer(`${url}/me`);
    expectError(missing, 401, "UNAUTHORIZED");
    expect(missing.headers["www-authenticate"]).toBe('Bearer realm="auth101"');

    const invalid = await fetchAnswer(`${url}/me`, { headers: bearer("not.a.token") });
    expectError(invalid, 401, "INVALID_TOKEN");
    expect(invalid.headers["www-authenticate"]).toBe('Bearer realm="auth101", error="invalid_token"');

    const signUp = await postJson(`${url}/auth/sign-up/email`, { email: "bob@example.com", password: PASSWORD });
    await store.setActive((signUp.json as { user: { id: string } }).user.id, false);
    const deactivated = await fetchAnswer(`${url}/me`, { headers: bearer(tokenOf(signUp)) });
    expectError(deactivated, 401, "USER_NOT_FOUND");
  });

  it("types ctx.state.authUser as the User in the routes after it", () => {
    const auth = createTestAuth();
    const router = new Router();
    router.get("/me", requireUser(auth), (ctx) => {
      expectTypeOf(ctx.state.authUser).toEqualTypeOf<User>();
    });
    const app = new Koa();
    app.use(requireUser(auth)).use((ctx) => {
      expectTypeOf(ctx.state.authUser).toEqualTypeOf<User>();
    });
    expect(router.stack).toHaveLength(1);
  });
});

describe("optionalUser", () => {
  it("attaches the user of the browser's session cookie, and treats a dead cookie as anonymous", async () => {
    const url = await start();
    const signUp = await postJson(
      `${url}/auth/sign-up/email`,
      { email: "bea@example.com", password: "a long enough password" },
      { "x-auth101-transport": "cookie", "sec-fetch-site": "same-origin" },
    );
    const cookie = (signUp.headers["set-cookie"] ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^__Host-auth101_session=eyJ/);
    expect((await fetchAnswer(`${url}/home`, { headers: { cookie } })).json).toEqual({ signedInAs: "bea@example.com" });
    await fetchAnswer(`${url}/auth/sign-out`, { method: "POST", headers: { cookie, "sec-fetch-site": "same-origin" } });
    expect((await fetchAnswer(`${url}/home`, { headers: { cookie } })).json).toEqual({ signedInAs: null });
  });

  it("attaches the user of a valid token and lets anonymous requests through", async () => {
    const url = await start();
    const token = tokenOf(
      await postJson(`${url}/auth/sign-up/email`, { email: "cy@example.com", password: "a long enough password" }),
    );
    expect((await fetchAnswer(`${url}/home`, { headers: bearer(token) })).json).toEqual({
      signedInAs: "cy@example.com",
    });
    expect((await fetchAnswer(`${url}/home`)).json).toEqual({ signedInAs: null });
    expect((await fetchAnswer(`${url}/home`, { headers: bearer("not.a.token") })).json).toEqual({ signedInAs: null });
    await fetchAnswer(`${url}/auth/sign-out`, { method: "POST", headers: bearer(token) });
    const after = await fetchAnswer(`${url}/home`, { headers: bearer(token) });
    expect(after.status).toBe(200);
    expect(after.json).toEqual({ signedInAs: null });
  });

  it("answers 503 when the store is down, never a silent anonymous", async () => {
    const good = await start();
    const token = tokenOf(
      await postJson(`${good}/auth/sign-up/email`, { email: "di@example.com", password: "a long enough password" }),
    );
    const down = await start(new FailingStore());
    const answer = await fetchAnswer(`${down}/home`, { headers: bearer(token) });
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ error: { code: "STORE_UNAVAILABLE" } });
    expect((await fetchAnswer(`${down}/home`)).json).toEqual({ signedInAs: null });
  });
});
