import type { AddressInfo } from "node:net";
import { Agent, createServer, request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Auth101 } from "../auth101.js";
import { createAuthHttpHandler } from "./auth-http-handler.js";
import { nodeHeaderReader } from "../node/node-request.js";
import { MAX_BODY_BYTES, readJsonBody } from "./request-body.js";

// The core's handler on a bare node:http server, the way every integration feeds it the raw
// request stream: an oversized body must be answered 413, not cut off with a reset socket,
// and must not leave a keep-alive client hanging.
describe("oversized bodies on a keep-alive connection", () => {
  const auth = new Auth101({ secret: "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH", onFailure: () => {} });
  const handle = createAuthHttpHandler(auth);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    void handle({
      method: req.method ?? "GET",
      path: url.pathname,
      header: nodeHeaderReader(req.headers),
      readBody: () =>
        readJsonBody({
          contentType: req.headers["content-type"],
          contentLength: req.headers["content-length"],
          chunks: req,
        }),
    }).then((response) => {
      res.writeHead(response?.status ?? 404, response?.headers ?? {});
      res.end(JSON.stringify(response?.body ?? {}));
    });
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let port = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  function send(
    body: Buffer,
    chunked: boolean,
  ): Promise<{ status: number; connection: string | undefined; text: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (!chunked) headers["content-length"] = String(body.length);
      const req = httpRequest(
        { host: "127.0.0.1", port, method: "POST", path: "/sign-in/email", agent, headers },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
        },
      );
      req.setTimeout(5000, () => req.destroy(new Error("timed out")));
      req.on("error", reject);
      // A chunked upload in pieces, as a streaming client sends it.
      for (let offset = 0; offset < body.length; offset += 16 * 1024)
        req.write(body.subarray(offset, offset + 16 * 1024));
      req.end();
    });
  }

  it("answers 413 with the error body and Connection: close, request after request", async () => {
    const oversized = Buffer.from(JSON.stringify({ email: "a@example.com", password: "x".repeat(MAX_BODY_BYTES * 3) }));
    for (const chunked of [true, true, true, false, false]) {
      const response = await send(oversized, chunked);
      expect(response.status).toBe(413);
      expect(response.connection).toBe("close");
      expect(JSON.parse(response.text)).toEqual({
        error: { message: "Request body is too large", code: "VALIDATION_ERROR" },
      });
    }
    const normal = await send(
      Buffer.from(JSON.stringify({ email: "a@example.com", password: "wrong password" })),
      false,
    );
    expect(normal.status).toBe(401);
  });
});
