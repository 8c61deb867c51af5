import type { UserStore } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import { Router } from "@koa/router";
import Koa from "koa";
import { afterEach, describe, expect, it } from "vitest";
import { auth101Router, optionalUser } from "./index.js";
import type { RunningServer } from "./test-support.js";
import { UnavailableStore, bearer, createTestAuth, listen, postJson, send, tokenOf } from "./test-support.js";

describe("optionalUser", () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function start(store: UserStore = new MemoryStore()): Promise<string> {
    const auth = createTestAuth(store);
    const app = new Koa();
    app.use(auth101Router(auth, { prefix: "/auth" }).routes());
    const router = new Router();
    router.get("/home", optionalUser(auth), (ctx) => {
      ctx.body = { signedInAs: ctx.state.authUser?.email ?? null };
    });
    app.use(router.routes());
    const server = await listen(app);
    servers.push(server);
    return server.url;
  }

  it("attaches the user of a valid token and lets anonymous requests through", async () => {
    const url = await start();
    const token = tokenOf(
      await postJson(`${url}/auth/sign-up/email`, { email: "cy@example.com", password: "a long enough password" }),
    );
    expect((await send(`${url}/home`, { headers: bearer(token) })).body).toEqual({ signedInAs: "cy@example.com" });
    expect((await send(`${url}/home`)).body).toEqual({ signedInAs: null });
    expect((await send(`${url}/home`, { headers: bearer("not.a.token") })).body).toEqual({ signedInAs: null });
    await send(`${url}/auth/sign-out`, { method: "POST", headers: bearer(token) });
    const after = await send(`${url}/home`, { headers: bearer(token) });
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ signedInAs: null });
  });

  it("answers 503 when the store is down, never a silent anonymous", async () => {
    const good = await start();
    const token = tokenOf(
      await postJson(`${good}/auth/sign-up/email`, { email: "di@example.com", password: "a long enough password" }),
    );
    const down = await start(new UnavailableStore());
    const answer = await send(`${down}/home`, { headers: bearer(token) });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { code: "STORE_UNAVAILABLE" } });
    expect((await send(`${down}/home`)).body).toEqual({ signedInAs: null });
  });
});
