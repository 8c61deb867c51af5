import type { AuthHttpRequest } from "@auth101/core";
import type { ConformanceServer } from "@auth101/testing";
import { fetchAnswer } from "@auth101/testing";
import Koa from "koa";
import { afterEach, describe, expect, it } from "vitest";
import { toAuthHttpRequest } from "./request-translation.js";
import { serve } from "./test-support/serve.js";

describe("toAuthHttpRequest", () => {
  let server: ConformanceServer | undefined;
  afterEach(() => server?.close());

  async function translated(
    app: Koa,
    headers: Record<string, string> = {},
  ): Promise<
    Pick<AuthHttpRequest, "method" | "path"> & {
      authorization: string | undefined;
      cookie: string | undefined;
      clientAddress: string | undefined;
    }
  > {
    let seen: Awaited<ReturnType<typeof translated>> | undefined;
    app.use((ctx) => {
      const { method, path, header, clientAddress } = toAuthHttpRequest(ctx, "/session");
      seen = {
        method,
        path,
        authorization: header("authorization"),
        cookie: header("cookie"),
        clientAddress: clientAddress?.(),
      };
      ctx.status = 204;
    });
    server = await serve(app);
    await fetchAnswer(`${server.url}/auth/session?x=1`, { method: "DELETE", headers });
    if (seen === undefined) throw new Error("the middleware did not run");
    return seen;
  }

  it("passes method, endpoint path, the headers (Authorization, Cookie) and the socket's address", async () => {
    expect(
      await translated(new Koa(), { authorization: "Bearer abc", cookie: "a=1", "x-forwarded-for": "203.0.113.7" }),
    ).toEqual({
      method: "DELETE",
      path: "/session",
      authorization: "Bearer abc",
      cookie: "a=1",
      clientAddress: "127.0.0.1",
    });
  });

  it("gives undefined, not an empty string, for a missing Authorization header", async () => {
    expect((await translated(new Koa())).authorization).toBeUndefined();
  });

  it("takes the client address from X-Forwarded-For only when app.proxy is set", async () => {
    const app = new Koa({ proxy: true });
    expect((await translated(app, { "x-forwarded-for": "203.0.113.7, 10.0.0.1" })).clientAddress).toBe("203.0.113.7");
  });

  it("with maxIpsCount, takes the address the proxy added, not one the client wrote (README)", async () => {
    const app = new Koa({ proxy: true, maxIpsCount: 1 });
    expect((await translated(app, { "x-forwarded-for": "198.51.100.9, 203.0.113.7" })).clientAddress).toBe(
      "203.0.113.7",
    );
  });
});
