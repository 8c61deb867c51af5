import { MemoryStore } from "@auth101/core";
import { describe, expect, it } from "vitest";
import { optionalUser } from "./require-user.js";
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

describe.each(EXPRESS_VERSIONS)("optionalUser on %s", (_version, express) => {
  const start = startAppsClosedAfterEach();

  async function app(store = new MemoryStore()) {
    const auth = createAuth(store);
    const server = express();
    server.use("/auth", auth101Router(auth));
    server.get("/home", optionalUser(auth), (req, res) => {
      res.json({ signedInAs: req.authUser?.email ?? null });
    });
    return { auth, origin: await start(server) };
  }

  it("attaches the user of a valid token and lets anonymous requests through", async () => {
    const { origin } = await app();
    const signUp = await postJson(`${origin}/auth/sign-up/email`, {
      email: "ann@example.com",
      password: "a long enough password",
    });
    const { token } = signUp.body as { token: string };
    expect((await request(`${origin}/home`, { headers: bearer(token) })).body).toEqual({
      signedInAs: "ann@example.com",
    });
    expect((await request(`${origin}/home`)).body).toEqual({ signedInAs: null });
    expect((await request(`${origin}/home`, { headers: bearer("not.a.token") })).body).toEqual({ signedInAs: null });
    // A signed-out token is anonymous from the next request on.
    await request(`${origin}/auth/sign-out`, { method: "POST", headers: bearer(token) });
    const after = await request(`${origin}/home`, { headers: bearer(token) });
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ signedInAs: null });
  });

  it("answers 503 when the store is down, never a silent anonymous", async () => {
    const good = await app();
    const signUp = await postJson(`${good.origin}/auth/sign-up/email`, {
      email: "bo@example.com",
      password: "a long enough password",
    });
    const { token } = signUp.body as { token: string };
    const down = await app(unavailableStore() as MemoryStore);
    const answer = await request(`${down.origin}/home`, { headers: bearer(token) });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { code: "STORE_UNAVAILABLE" } });
    expect((await request(`${down.origin}/home`)).body).toEqual({ signedInAs: null });
  });
});
