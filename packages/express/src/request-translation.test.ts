import type { AuthHttpRequest } from "@auth101/core";
import { closedAfterEach, fetchAnswer } from "@auth101/testing";
import type { Express } from "express";
import { describe, expect, it } from "vitest";
import { toAuthHttpRequest } from "./request-translation.js";
import { EXPRESS_VERSIONS, serve } from "./test-support/serve.js";

describe.each(EXPRESS_VERSIONS)("%s", (_version, express) => {
  const start = closedAfterEach(serve);

  /** An app that answers with what the core's handler would be given. */
  async function translatingApp(configure: (app: Express) => void = () => {}): Promise<string> {
    const app = express();
    configure(app);
    app.use("/auth", async (req, res) => {
      const translated: AuthHttpRequest = toAuthHttpRequest(req);
      const { readBody, header, clientAddress, ...rest } = translated;
      res.json({
        ...rest,
        authorization: header("authorization"),
        cookie: header("cookie"),
        clientAddress: clientAddress?.(),
        body: await readBody(),
      });
    });
    return (await start(app)).url;
  }

  describe("toAuthHttpRequest", () => {
    it("gives the method, the path relative to the mount point without the query, the Authorization header and the body", async () => {
      const origin = await translatingApp();
      const response = await fetchAnswer(`${origin}/auth/sign-in/email?next=/home`, {
        method: "POST",
        headers: { authorization: "Bearer abc", cookie: "a=1", "content-type": "application/json" },
        body: '{"email":"a@b.co"}',
      });
      expect(response.json).toEqual({
        method: "POST",
        path: "/sign-in/email",
        authorization: "Bearer abc",
        cookie: "a=1",
        clientAddress: "127.0.0.1",
        body: { kind: "json", value: { email: "a@b.co" } },
      });
    });

    it("passes req.ip as the client address, so Express's trust proxy setting governs it", async () => {
      const forwarded = { "x-forwarded-for": "203.0.113.7" };
      const untrusting = await translatingApp();
      expect((await fetchAnswer(`${untrusting}/auth/session`, { headers: forwarded })).json).toMatchObject({
        clientAddress: "127.0.0.1",
      });
      const trusting = await translatingApp((app) => app.set("trust proxy", "loopback"));
      expect((await fetchAnswer(`${trusting}/auth/session`, { headers: forwarded })).json).toMatchObject({
        clientAddress: "203.0.113.7",
      });
    });

    it("with trust proxy set to a hop count, takes the address the proxy added, not one the client wrote (README)", async () => {
      const trusting = await translatingApp((app) => app.set("trust proxy", 1));
      const forwarded = { "x-forwarded-for": "198.51.100.9, 203.0.113.7" };
      expect((await fetchAnswer(`${trusting}/auth/session`, { headers: forwarded })).json).toMatchObject({
        clientAddress: "203.0.113.7",
      });
    });
  });
});
