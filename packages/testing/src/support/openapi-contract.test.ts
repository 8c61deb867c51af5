import type { OutgoingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Auth101, MemoryStore } from "@auth101/core";
import { listenOnLoopback } from "../listen-on-loopback.js";
import { startReferenceServer } from "../reference-server.js";
import type { ConformanceServer, SendHttp } from "./http-client.js";
import { bearer, describedHttp, jsonPost } from "./http-client.js";
import { GOOD_PASSWORD, randomSecret, uniqueEmail } from "./fixtures.js";

const JSON_ANSWER = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

describe("describedHttp: every answer checked against the core's OpenAPI document", () => {
  const auth = new Auth101({ secret: randomSecret(), store: new MemoryStore(), onFailure: () => {} });

  describe("against the reference server", () => {
    let server: ConformanceServer;
    let send: SendHttp;
    beforeAll(async () => {
      server = await startReferenceServer({ auth, prefix: "/auth" });
      send = describedHttp(server.url, { auth, prefix: "/auth" });
    });
    afterAll(() => server.close());

    it("passes the answers the core gives", async () => {
      const signedUp = await send(
        jsonPost("/auth/sign-up/email", { email: uniqueEmail("contract"), password: GOOD_PASSWORD }),
      );
      expect(signedUp.status).toBe(200);
      const token = (signedUp.json as { token: string }).token;
      expect((await send({ method: "GET", path: "/auth/sessions", headers: bearer(token) })).status).toBe(200);
      expect((await send({ method: "GET", path: "/auth/session" })).status).toBe(401);
      expect((await send({ method: "PUT", path: "/auth/session" })).status).toBe(405);
      expect((await send({ method: "HEAD", path: "/auth/sign-out" })).status).toBe(405);
      expect((await send({ method: "DELETE", path: "/auth/sessions/x?y=1", headers: bearer(token) })).status).toBe(200);
      // Not a path of the document: the app's to answer, not checked.
      expect((await send({ method: "GET", path: "/auth/reset-password" })).status).toBe(404);
    });
  });

  describe("against a server that answers what it should not", () => {
    let answer: { status: number; headers: OutgoingHttpHeaders; body: string };
    let server: ConformanceServer;
    let send: SendHttp;
    beforeAll(async () => {
      server = await listenOnLoopback((_request, response) => {
        response.writeHead(answer.status, answer.headers).end(answer.body);
      });
      send = describedHttp(server.url, { auth, prefix: "/auth" });
    });
    afterAll(() => server.close());

    const user = { id: "u1", email: "a@example.com", is_active: true };
    const error = (code: string): string => JSON.stringify({ error: { message: "m", code } });

    it.each([
      [
        "a status the operation does not answer",
        418,
        JSON_ANSWER,
        error("VALIDATION_ERROR"),
        /does not describe.*no such status/s,
      ],
      [
        "a field the success shape does not have",
        200,
        JSON_ANSWER,
        JSON.stringify({ user, token: "t", hash: "h" }),
        /the body/,
      ],
      [
        "a user without is_active",
        200,
        JSON_ANSWER,
        JSON.stringify({ user: { id: "u1", email: "e" }, token: "t" }),
        /the body/,
      ],
      [
        "a code of another status",
        401,
        { ...JSON_ANSWER, "www-authenticate": 'Bearer realm="auth101"' },
        error("USER_EXISTS"),
        /the body/,
      ],
      ["a 401 without WWW-Authenticate", 401, JSON_ANSWER, error("INVALID_CREDENTIALS"), /WWW-Authenticate is missing/],
      ["a 429 without Retry-After", 429, JSON_ANSWER, error("RATE_LIMITED"), /Retry-After is missing/],
      [
        "a Retry-After that is no number of seconds",
        429,
        { ...JSON_ANSWER, "retry-after": "soon" },
        error("RATE_LIMITED"),
        /Retry-After/,
      ],
      [
        "an answer without Cache-Control: no-store",
        200,
        { "content-type": "application/json" },
        JSON.stringify({ user, token: "t" }),
        /Cache-Control is missing/,
      ],
      ["a body that is not JSON", 200, JSON_ANSWER, "<html>ok</html>", /not JSON/],
    ])("rejects %s", async (_case, status, headers, body, problem) => {
      answer = { status, headers, body };
      await expect(send(jsonPost("/auth/sign-in/email", { email: "a@example.com", password: "x" }))).rejects.toThrow(
        problem,
      );
    });

    it("rejects a method the path does not serve answered with anything but 405", async () => {
      answer = { status: 200, headers: JSON_ANSWER, body: JSON.stringify({ success: true }) };
      await expect(send({ method: "GET", path: "/auth/sign-out" })).rejects.toThrow(/must answer 405/);
      answer = { status: 405, headers: JSON_ANSWER, body: error("VALIDATION_ERROR") };
      await expect(send({ method: "GET", path: "/auth/sign-out" })).rejects.toThrow(/Allow is missing/);
    });

    it("leaves paths outside the document alone", async () => {
      answer = { status: 418, headers: {}, body: "teapot" };
      expect((await send({ method: "GET", path: "/protected" })).status).toBe(418);
      expect((await send({ method: "GET", path: "/auth/sessions/a/b" })).status).toBe(418);
    });
  });
});
