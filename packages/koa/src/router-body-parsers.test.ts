import { gzipSync } from "node:zlib";
import type { ConformanceServer, HttpAnswer } from "@auth101/testing";
import { createTestAuth, fetchAnswer, postJson } from "@auth101/testing";
import { bodyParser } from "@koa/bodyparser";
import { Router } from "@koa/router";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth101Router } from "./index.js";
import { serve } from "./test-support/serve.js";

const PASSWORD = "correct horse battery";
let emailCount = 0;
const freshEmail = (): string => `koa-parsed-${++emailCount}@example.com`;

function expectError(reply: HttpAnswer, status: number): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers["content-type"]).toBe("application/json; charset=utf-8");
  expect(reply.json).toEqual({ error: { code: "VALIDATION_ERROR", message: expect.any(String) } });
}

/** The app's own JSON route, to show the body parser still works for the rest of the app. */
function echoRouter(): Router {
  const router = new Router();
  router.post("/echo", (ctx) => {
    ctx.body = { received: ctx.request.body };
  });
  return router;
}

describe("with @koa/bodyparser mounted before the auth router", () => {
  let server: ConformanceServer;
  let base: string;

  beforeAll(async () => {
    const app = new Koa();
    app.silent = true; // Koa would log the parser's rejection of malformed JSON to stderr
    app.use(bodyParser());
    app.use(auth101Router(createTestAuth(), { prefix: "/auth" }).routes());
    app.use(echoRouter().routes());
    server = await serve(app);
    base = `${server.url}/auth`;
  });
  afterAll(() => server.close());

  it("uses the body the parser already read", async () => {
    const email = freshEmail();
    const signUp = await postJson(`${base}/sign-up/email`, { email, password: PASSWORD });
    expect(signUp.status, signUp.text).toBe(200);
    const signIn = await postJson(`${base}/sign-in/email`, { email, password: PASSWORD });
    expect(signIn.status, signIn.text).toBe(200);
    expect((await postJson(`${server.url}/echo`, { a: 1 })).json).toEqual({ received: { a: 1 } });
  });

  it("still answers 413 for a body over 64 KiB that the parser's own 1 MB limit let through", async () => {
    const reply = await postJson(`${base}/sign-in/email`, {
      email: freshEmail(),
      password: PASSWORD,
      padding: "x".repeat(70 * 1024),
    });
    expectError(reply, 413);
  });

  it("answers 415 for a content type the parser skipped (text) or parsed (form)", async () => {
    expectError(
      await fetchAnswer(`${base}/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "hi",
      }),
      415,
    );
    const form = new URLSearchParams({ email: freshEmail(), password: PASSWORD });
    expectError(await fetchAnswer(`${base}/sign-in/email`, { method: "POST", body: form }), 415);
  });

  it("answers 400 for an empty body and for JSON that is not an object", async () => {
    expectError(await fetchAnswer(`${base}/sign-in/email`, { method: "POST" }), 400);
    expectError(await postJson(`${base}/sign-in/email`, [PASSWORD]), 400);
  });

  it("leaves malformed JSON to the parser, which rejects it before the router runs", async () => {
    // Documented in the README: mount auth101Router before the body parser (next suite), or
    // switch the parser off on the auth paths (http-conformance.test.ts runs that setup).
    const reply = await fetchAnswer(`${base}/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(reply.status).toBe(400);
    expect(reply.headers["content-type"]).not.toContain("application/json");
  });
});

describe("with @koa/bodyparser mounted after the auth router (the recommended order)", () => {
  let server: ConformanceServer;
  let base: string;

  beforeAll(async () => {
    const app = new Koa();
    app.use(auth101Router(createTestAuth(), { prefix: "/auth" }).routes());
    app.use(bodyParser());
    app.use(echoRouter().routes());
    server = await serve(app);
    base = `${server.url}/auth`;
  });
  afterAll(() => server.close());

  it("reads its own body and leaves the parser to the rest of the app", async () => {
    const email = freshEmail();
    expect((await postJson(`${base}/sign-up/email`, { email, password: PASSWORD })).status).toBe(200);
    expect((await postJson(`${server.url}/echo`, { a: 1 })).json).toEqual({ received: { a: 1 } });
  });

  it("answers malformed JSON, a wrong type and an oversized body with its own JSON errors", async () => {
    const url = `${base}/sign-in/email`;
    expectError(
      await fetchAnswer(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{" }),
      400,
    );
    expectError(await fetchAnswer(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" }), 415);
    expectError(await postJson(url, { padding: "x".repeat(70 * 1024) }), 413);
  });
});

describe("with @koa/bodyparser before the router and an onError that swallows its refusals on the auth paths", () => {
  let server: ConformanceServer;
  let base: string;

  beforeAll(async () => {
    const app = new Koa();
    app.silent = true;
    app.use(
      bodyParser({
        onError: (error, ctx) => {
          if (!ctx.path.startsWith("/auth/")) throw error;
        },
      }),
    );
    app.use(auth101Router(createTestAuth(), { prefix: "/auth" }).routes());
    app.use(echoRouter().routes());
    server = await serve(app);
    base = `${server.url}/auth`;
  });
  afterAll(() => server.close());

  it("answers malformed JSON and JSON the parser's strict mode refuses with the JSON 400", async () => {
    const url = `${base}/sign-in/email`;
    expectError(
      await fetchAnswer(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{" }),
      400,
    );
    expectError(
      await fetchAnswer(url, { method: "POST", headers: { "content-type": "application/json" }, body: '"ada"' }),
      400,
    );
  });

  it("answers 400 for a __proto__ key the parser refuses, where auth101 alone would ignore the key", async () => {
    const body = `{"email":"${freshEmail()}","password":"${PASSWORD}","__proto__":{"admin":true}}`;
    const headers = { "content-type": "application/json" };
    const reply = await fetchAnswer(`${base}/sign-up/email`, { method: "POST", headers, body });
    expectError(reply, 400);
    expect(reply.json).toEqual({ error: { code: "VALIDATION_ERROR", message: "Request body must be valid JSON" } });
  });

  it("answers a body over the parser's own limit with the JSON 413", async () => {
    expectError(await postJson(`${base}/sign-in/email`, { padding: "x".repeat(1100 * 1024) }), 413);
  });

  it("keeps the parser's own errors for the app's other routes", async () => {
    const reply = await fetchAnswer(`${server.url}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(reply.status).toBe(400);
    expect(reply.headers["content-type"]).not.toContain("application/json");
  });
});

describe("content codings", () => {
  const servers: ConformanceServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  it("answers 415 for a gzip body, whether the router reads it or @koa/bodyparser inflated it first", async () => {
    for (const withParser of [false, true]) {
      const app = new Koa();
      if (withParser) app.use(bodyParser());
      app.use(auth101Router(createTestAuth(), { prefix: "/auth" }).routes());
      const server = await serve(app);
      servers.push(server);
      const reply = await fetchAnswer(`${server.url}/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body: gzipSync(JSON.stringify({ email: freshEmail(), password: PASSWORD })),
      });
      expectError(reply, 415);
    }
  });
});

describe("with a body parser that keeps no raw text (as koa-body does by default)", () => {
  let server: ConformanceServer;
  let base: string;

  beforeAll(async () => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      let text = "";
      for await (const chunk of ctx.req) text += String(chunk);
      (ctx.request as { body?: unknown }).body = JSON.parse(text) as unknown;
      await next();
    });
    app.use(auth101Router(createTestAuth(), { prefix: "/auth" }).routes());
    server = await serve(app);
    base = `${server.url}/auth`;
  });
  afterAll(() => server.close());

  it("uses the parsed object", async () => {
    expect((await postJson(`${base}/sign-up/email`, { email: freshEmail(), password: PASSWORD })).status).toBe(200);
  });

  it("still answers 413 for a declared length over 64 KiB", async () => {
    expectError(await postJson(`${base}/sign-in/email`, { padding: "x".repeat(70 * 1024) }), 413);
  });
});
