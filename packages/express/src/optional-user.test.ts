import type { UserStore } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import { bearer, closedAfterEach, createTestAuth, FailingStore, fetchAnswer, postJson } from "@auth101/testing";
import { describe, expect, it } from "vitest";
import { optionalUser } from "./require-user.js";
import { auth101Router } from "./router.js";
import { EXPRESS_VERSIONS, serve } from "./test-support/serve.js";

describe.each(EXPRESS_VERSIONS)("optionalUser on %s", (_version, express) => {
  const start = closedAfterEach(serve);

  async function app(store: UserStore = new MemoryStore()) {
    const auth = createTestAuth(store);
    const server = express();
    server.use("/auth", auth101Router(auth));
    server.get("/home", optionalUser(auth), (req, res) => {
      res.json({ signedInAs: req.authUser?.email ?? null });
    });
    return { auth, origin: (await start(server)).url };
  }

  it("attaches the user of the browser's session cookie, and treats a dead cookie as anonymous", async () => {
    const { origin } = await app();
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
    const { origin } = await app();
    const signUp = await postJson(`${origin}/auth/sign-up/email`, {
      email: "ann@example.com",
      password: "a long enough password",
    });
    const { token } = signUp.json as { token: string };
    expect((await fetchAnswer(`${origin}/home`, { headers: bearer(token) })).json).toEqual({
      signedInAs: "ann@example.com",
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
    const good = await app();
    const signUp = await postJson(`${good.origin}/auth/sign-up/email`, {
      email: "bo@example.com",
      password: "a long enough password",
    });
    const { token } = signUp.json as { token: string };
    const down = await app(new FailingStore());
    const answer = await fetchAnswer(`${down.origin}/home`, { headers: bearer(token) });
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ error: { code: "STORE_UNAVAILABLE" } });
    expect((await fetchAnswer(`${down.origin}/home`)).json).toEqual({ signedInAs: null });
  });
});
