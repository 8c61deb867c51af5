import type { UserStore } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
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
import { describe, expect, it } from "vitest";
import { auth101Router, optionalUser } from "./index.js";
import { serve } from "./test-support/serve.js";

describe("optionalUser", () => {
  const serveForTest = closedAfterEach(serve);

  async function start(store: UserStore = new MemoryStore()): Promise<string> {
    const auth = createTestAuth(store);
    const app = new Koa();
    app.use(auth101Router(auth, { prefix: "/auth" }).routes());
    const router = new Router();
    router.get("/home", optionalUser(auth), (ctx) => {
      ctx.body = { signedInAs: ctx.state.authUser?.email ?? null };
    });
    app.use(router.routes());
    return (await serveForTest(app)).url;
  }

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
