import { gzipSync } from "node:zlib";
import { Auth101, MemoryStore } from "@auth101/core";
import type { HttpAnswer } from "@auth101/testing";
import {
  bearer,
  chunkedBody,
  FailingStore,
  fetchAnswer,
  postJson,
  startReferenceServer,
  TEST_SECRET,
} from "@auth101/testing";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MiddlewareConsumer, NestModule } from "@nestjs/common";
import { Body, Controller, Module, Post } from "@nestjs/common";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { ExpressAdapter } from "@nestjs/platform-express";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import express from "express";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Auth101Module } from "./index.js";
import type { Platform, RunningApp } from "./test-support/serve.js";
import { PLATFORMS, serve } from "./test-support/serve.js";

const PASSWORD = "correct horse battery staple";
const quiet = { onFailure: () => {} };

@Controller("echo")
class EchoController {
  @Post()
  echo(@Body() body: unknown): { readonly received: unknown } {
    return { received: body };
  }
}

/** An app's own route under the endpoints' path. */
@Controller("auth")
class AccountController {
  @Post("profile")
  profile(@Body() body: unknown): { readonly profile: unknown } {
    return { profile: body };
  }
}

/** The headers the core sets; the rest (date, x-powered-by, ...) belong to the server. */
const CORE_HEADERS = ["content-type", "cache-control", "www-authenticate", "allow", "retry-after", "content-length"];

function comparable(answer: HttpAnswer): unknown {
  return {
    status: answer.status,
    headers: Object.fromEntries(CORE_HEADERS.map((name) => [name, answer.headers[name]])),
    body: answer.text,
  };
}

const json = { "content-type": "application/json" };
const over = (bytes: number): string => JSON.stringify({ email: "a@example.com", password: "x".repeat(bytes) });

type RequestFactory = () => RequestInit;
const sendJson =
  (body: string): RequestFactory =>
  () => ({ method: "POST", headers: json, body });
const sendChunked =
  (text: string): RequestFactory =>
  () => ({ method: "POST", headers: json, ...chunkedBody(text) });
const send =
  (contentType: string | undefined, body: string, headers: Record<string, string> = {}): RequestFactory =>
  () => ({
    method: "POST",
    headers: { ...(contentType === undefined ? {} : { "content-type": contentType }), ...headers },
    body,
  });
const credentials = (email: unknown, password: unknown): string => JSON.stringify({ email, password });

/**
 * Requests whose answers carry no token, so Nest and the core on a bare Node server must
 * answer them identically (status, the core's headers, body). A factory each: a stream body
 * can be sent once.
 */
const DETERMINISTIC_REQUESTS: ReadonlyArray<readonly [string, string, RequestFactory]> = [
  ["invalid email", "/sign-up/email", sendJson(credentials("nope", PASSWORD))],
  ["missing password", "/sign-up/email", sendJson(JSON.stringify({ email: "a@example.com" }))],
  ["email of the wrong type", "/sign-up/email", sendJson(credentials(5, PASSWORD))],
  ["password of the wrong type", "/sign-in/email", sendJson(credentials("a@example.com", ["x"]))],
  ["a JSON array", "/sign-up/email", sendJson("[]")],
  ["a JSON string (Nest's strict parser rejects it)", "/sign-up/email", sendJson('"abc"')],
  ["a JSON null", "/sign-in/email", sendJson("null")],
  ["malformed JSON", "/sign-up/email", sendJson("{bad")],
  ["malformed JSON, chunked", "/sign-in/email", sendChunked("{bad")],
  ["an empty JSON body (Nest's parser makes it {})", "/sign-up/email", sendJson("")],
  ["an empty chunked JSON body", "/sign-up/email", sendChunked("")],
  ["no body, no content type", "/sign-in/email", () => ({ method: "POST" })],
  ["a body without a content type", "/sign-in/email", send(undefined, credentials("x", "y"))],
  ["text/plain", "/sign-up/email", send("text/plain", "{}")],
  ["a form", "/sign-in/email", send("application/x-www-form-urlencoded", "email=a%40example.com&password=x")],
  ["a +json type Nest does not parse", "/sign-up/email", send("application/vnd.api+json", "{}")],
  [
    "a charset Nest's parser refuses",
    "/sign-up/email",
    send("application/json; charset=latin1", credentials("nope", "x")),
  ],
  [
    "a utf-16 charset Nest's parser would decode",
    "/sign-in/email",
    send("application/json; charset=utf-16", credentials("x", "y")),
  ],
  [
    "a byte order mark Nest's parser would strip",
    "/sign-in/email",
    send("application/json", `\uFEFF${credentials("x", "y")}`),
  ],
  [
    "a Content-Encoding Nest's parser would inflate",
    "/sign-in/email",
    () => ({ method: "POST", headers: { ...json, "content-encoding": "gzip" }, body: gzipSync(credentials("x", "y")) }),
  ],
  [
    "an unknown Content-Encoding",
    "/sign-in/email",
    send("application/json", credentials("x", "y"), { "content-encoding": "br" }),
  ],
  ["70 KB of JSON (Nest's parser takes up to 100 KB)", "/sign-up/email", sendJson(over(70_000))],
  ["70 KB of JSON, chunked", "/sign-up/email", sendChunked(over(70_000))],
  [
    "70 KB of JSON that is mostly whitespace, chunked",
    "/sign-up/email",
    sendChunked(`${" ".repeat(70_000)}${credentials("x", "y")}`),
  ],
  ["200 KB of JSON (Nest's parser fails)", "/sign-up/email", sendJson(over(200_000))],
  ["200 KB of JSON, chunked", "/sign-in/email", sendChunked(over(200_000))],
  ["70 KB of malformed JSON", "/sign-up/email", sendJson(`{${"x".repeat(70_000)}`)],
  ["70 KB of malformed JSON, chunked", "/sign-up/email", sendChunked(`{${"x".repeat(70_000)}`)],
  ["70 KB of text", "/sign-up/email", send("text/plain", "x".repeat(70_000))],
  ["70 KB of form", "/sign-up/email", send("application/x-www-form-urlencoded", `a=${"x".repeat(70_000)}`)],
  ["GET on a POST endpoint", "/sign-in/email", () => ({ method: "GET" })],
  ["POST on the GET endpoint", "/session", sendJson("{}")],
  ["HEAD on the session", "/session", () => ({ method: "HEAD" })],
  ["session without a token", "/session", () => ({})],
  ["session with another scheme", "/session", () => ({ headers: { authorization: "Basic dXNlcjpwYXNz" } })],
  ["session with an empty Bearer", "/session", () => ({ headers: { authorization: "Bearer " } })],
  ["session with a garbage token", "/session", () => ({ headers: bearer("not.a.token") })],
  [
    "session with a lower-case scheme and garbage token",
    "/session",
    () => ({ headers: { authorization: "bearer abc.def.ghi" } }),
  ],
  ["sign-out without a token", "/sign-out", () => ({ method: "POST" })],
  ["sign-out with a garbage token", "/sign-out", () => ({ method: "POST", headers: bearer("abc") })],
  ["sign-in of an unknown user", "/sign-in/email", sendJson(credentials("nobody@example.com", PASSWORD))],
];

/**
 * What a body parser that ran before the endpoints (one the app registered on its own
 * Express instance, ahead of Nest's adapter) leaves cannot tell: how long a chunked body was.
 */
const NEEDS_THE_RAW_BYTES = new Set(["70 KB of JSON that is mostly whitespace, chunked"]);

async function expectSameAnswers(
  nestUrl: string,
  referenceUrl: string,
  requests: ReadonlyArray<readonly [string, string, RequestFactory]>,
): Promise<void> {
  for (const [name, path, init] of requests) {
    const fromReference = await fetchAnswer(`${referenceUrl}/auth${path}`, init());
    const fromNest = await fetchAnswer(`${nestUrl}/auth${path}`, init());
    expect.soft(comparable(fromNest), name).toEqual(comparable(fromReference));
    expect(fromNest.status, name).toBeGreaterThanOrEqual(400);
    expect(fromNest.status, name).toBeLessThan(500);
  }
}

describe.each(PLATFORMS)("on %s, the endpoints answer what the core answers on a bare Node server", (platform) => {
  const store = new MemoryStore();
  let nest: RunningApp;
  let reference: Awaited<ReturnType<typeof startReferenceServer>>;

  beforeAll(async () => {
    nest = await serve(
      {
        imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store })],
        controllers: [EchoController, AccountController],
      },
      { platform },
    );
    reference = await startReferenceServer({ auth: new Auth101({ secret: TEST_SECRET, store }) });
  });
  afterAll(async () => {
    await nest?.close();
    await reference?.close();
  });

  test.each(DETERMINISTIC_REQUESTS)("%s", async (name, path, init) => {
    await expectSameAnswers(nest.url, reference.url, [[name, path, init]]);
  });

  test("a user who signs up on one can use the other, and both answer alike", async () => {
    const signedUp = await postJson(`${nest.url}/auth/sign-up/email`, {
      email: "both@example.com",
      password: PASSWORD,
    });
    expect(signedUp.status).toBe(200);
    const { token } = signedUp.json as { token: string };
    const [onNest, onReference] = await Promise.all([
      fetchAnswer(`${nest.url}/auth/session`, { headers: bearer(token) }),
      fetchAnswer(`${reference.url}/auth/session`, { headers: bearer(token) }),
    ]);
    expect(comparable(onNest)).toEqual(comparable(onReference));
    const duplicate = (url: string): Promise<HttpAnswer> =>
      postJson(`${url}/auth/sign-up/email`, { email: "Both@Example.com", password: PASSWORD });
    expect(comparable(await duplicate(nest.url))).toEqual(comparable(await duplicate(reference.url)));
    const wrongPassword = (url: string): Promise<HttpAnswer> =>
      postJson(`${url}/auth/sign-in/email`, { email: "both@example.com", password: "not the password" });
    expect(comparable(await wrongPassword(nest.url))).toEqual(comparable(await wrongPassword(reference.url)));
  });

  // The platform's shape ({ statusCode, message, ... }), not auth101's { error: { message, code } }.
  test("a body-parser failure outside the auth endpoints keeps Nest's own answer", async () => {
    const elsewhere = await fetchAnswer(`${nest.url}/echo`, { method: "POST", headers: json, body: "{bad" });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.json).toMatchObject({ statusCode: 400 });
    const unknownAuthPath = await fetchAnswer(`${nest.url}/auth/nope`, { method: "POST", headers: json, body: "{bad" });
    expect(unknownAuthPath.json).toMatchObject({ statusCode: 400 });
    // Over Express's 100 KB and Fastify's 1 MiB.
    const tooLarge = await fetchAnswer(`${nest.url}/echo`, { method: "POST", headers: json, body: over(2_000_000) });
    expect(tooLarge.json).toMatchObject({ statusCode: 413 });
  });

  test("paths under the mount that are not endpoints, or differ in case, fall through to Nest", async () => {
    for (const path of ["/auth/nope", "/AUTH/session", "/Auth/sign-up/email", "/auth/session/"]) {
      const answer = await fetchAnswer(`${nest.url}${path}`);
      expect(answer.status, path).toBe(404);
      expect(answer.json, path).toMatchObject({ statusCode: 404 });
    }
  });

  test("other routes, also the app's own under /auth, still get the body Nest's parser read", async () => {
    const answer = await postJson(`${nest.url}/echo`, { hello: "world" });
    expect(answer.status).toBe(201);
    expect(answer.json).toEqual({ received: { hello: "world" } });
    const underAuth = await postJson(`${nest.url}/auth/profile`, { name: "Ada" });
    expect(underAuth.status).toBe(201);
    expect(underAuth.json).toEqual({ profile: { name: "Ada" } });
  });
});

describe.each(PLATFORMS)("the four endpoints on %s", (platform) => {
  let nest: RunningApp;
  const url = (path: string): string => `${nest.url}/auth${path}`;

  beforeAll(async () => {
    nest = await serve(
      { imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store: new MemoryStore() })] },
      { platform },
    );
  });
  afterAll(() => nest?.close());

  test("sign-up answers 200 { user, token } with Cache-Control: no-store, then 409 for the same email", async () => {
    const first = await postJson(url("/sign-up/email"), { email: " New@Example.com ", password: PASSWORD });
    expect(first.status).toBe(200);
    expect(first.headers["cache-control"]).toBe("no-store");
    expect(first.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(first.json).toEqual({
      user: { id: expect.any(String), email: "new@example.com", is_active: true },
      token: expect.any(String),
    });

    const again = await postJson(url("/sign-up/email"), { email: "new@example.com", password: PASSWORD });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ error: { message: expect.any(String), code: "USER_EXISTS" } });
  });

  test("sign-in, session and sign-out", async () => {
    await postJson(url("/sign-up/email"), { email: "flow@example.com", password: PASSWORD });
    const signedIn = await postJson(url("/sign-in/email"), { email: "flow@example.com", password: PASSWORD });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers["cache-control"]).toBe("no-store");
    const { user, token } = signedIn.json as { user: { id: string }; token: string };

    const session = await fetchAnswer(url("/session"), { headers: bearer(token) });
    expect(session.status).toBe(200);
    expect(session.json).toEqual({ user: { id: user.id, email: "flow@example.com", is_active: true } });

    const signedOut = await fetchAnswer(url("/sign-out"), { method: "POST", headers: bearer(token) });
    expect(signedOut.status).toBe(200);
    expect(signedOut.json).toEqual({ success: true });
  });

  test("a wrong password is 401 INVALID_CREDENTIALS with WWW-Authenticate", async () => {
    await postJson(url("/sign-up/email"), { email: "wrong@example.com", password: PASSWORD });
    const answer = await postJson(url("/sign-in/email"), { email: "wrong@example.com", password: "another password" });
    expect(answer.status).toBe(401);
    expect(answer.headers["www-authenticate"]).toBe('Bearer realm="auth101"');
    expect(answer.json).toEqual({ error: { message: "Invalid email or password", code: "INVALID_CREDENTIALS" } });
  });

  test('a bad token is 401 INVALID_TOKEN with error="invalid_token"', async () => {
    const answer = await fetchAnswer(url("/session"), { headers: bearer("abc.def.ghi") });
    expect(answer.status).toBe(401);
    expect(answer.headers["www-authenticate"]).toBe('Bearer realm="auth101", error="invalid_token"');
    expect((answer.json as { error: { code: string } }).error.code).toBe("INVALID_TOKEN");
  });

  test("the user of a token who is deactivated is 401 USER_NOT_FOUND", async () => {
    const store = new MemoryStore();
    const other = await serve({ imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store })] }, { platform });
    try {
      const signedUp = await postJson(`${other.url}/auth/sign-up/email`, {
        email: "gone@example.com",
        password: PASSWORD,
      });
      const { user, token } = signedUp.json as { user: { id: string }; token: string };
      await store.setActive(user.id, false);
      const answer = await fetchAnswer(`${other.url}/auth/session`, { headers: bearer(token) });
      expect(answer.status).toBe(401);
      expect(answer.headers["www-authenticate"]).toBe('Bearer realm="auth101", error="invalid_token"');
      expect((answer.json as { error: { code: string } }).error.code).toBe("USER_NOT_FOUND");
    } finally {
      await other.close();
    }
  });

  test("405 names the allowed method", async () => {
    const answer = await fetchAnswer(url("/sign-up/email"), { method: "PUT", headers: json, body: "{}" });
    expect(answer.status).toBe(405);
    expect(answer.headers["allow"]).toBe("POST");
    expect((answer.json as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
  });

  test("413, 415 and malformed JSON answer the error body, never HTML", async () => {
    const tooLarge = await fetchAnswer(url("/sign-up/email"), { method: "POST", headers: json, body: over(70_000) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json).toEqual({ error: { message: "Request body is too large", code: "VALIDATION_ERROR" } });
    const wayTooLarge = await fetchAnswer(url("/sign-up/email"), {
      method: "POST",
      headers: json,
      body: over(2_000_000),
    });
    expect(wayTooLarge.status).toBe(413);
    expect(wayTooLarge.json).toEqual(tooLarge.json);
    const wrongType = await fetchAnswer(url("/sign-up/email"), {
      method: "POST",
      headers: { "content-type": "text/html" },
      body: "<p>",
    });
    expect(wrongType.status).toBe(415);
    expect((wrongType.json as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
    const malformed = await fetchAnswer(url("/sign-in/email"), { method: "POST", headers: json, body: '{"email": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ error: { message: "Request body must be valid JSON", code: "VALIDATION_ERROR" } });
  });

  test("a store that fails is 503 STORE_UNAVAILABLE", async () => {
    const down = await serve(
      { imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store: new FailingStore(), ...quiet })] },
      { platform },
    );
    try {
      const signUp = await postJson(`${down.url}/auth/sign-up/email`, { email: "a@example.com", password: PASSWORD });
      expect(signUp.status).toBe(503);
      expect(signUp.json).toEqual({ error: { message: expect.any(String), code: "STORE_UNAVAILABLE" } });
      const signIn = await postJson(`${down.url}/auth/sign-in/email`, { email: "a@example.com", password: PASSWORD });
      expect(signIn.status).toBe(503);
    } finally {
      await down.close();
    }
  });
});

describe.each(PLATFORMS)("body parsing set up differently, on %s", (platform) => {
  test.each([
    ["rawBody: true", { rawBody: true }],
    ["bodyParser: false", { bodyParser: false }],
  ] as const)("with %s the endpoints answer the same", async (_name, appOptions) => {
    const store = new MemoryStore();
    const nest = await serve(
      { imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store })] },
      { ...appOptions, platform },
    );
    const reference = await startReferenceServer({ auth: new Auth101({ secret: TEST_SECRET, store }) });
    try {
      await expectSameAnswers(nest.url, reference.url, DETERMINISTIC_REQUESTS);
      const signedUp = await postJson(`${nest.url}/auth/sign-up/email`, {
        email: "raw@example.com",
        password: PASSWORD,
      });
      expect(signedUp.status).toBe(200);
    } finally {
      await nest.close();
      await reference.close();
    }
  });

  // Express only: an app's own parser on its own instance, ahead of Nest's adapter.
  if (platform === "express") {
    test("behind the app's own express.json(), which runs first, the answers are the same but for what needs the raw bytes", async () => {
      const store = new MemoryStore();
      const nest = await serve(
        { imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store })] },
        { adapter: new ExpressAdapter(express().use(express.json())) },
      );
      const reference = await startReferenceServer({ auth: new Auth101({ secret: TEST_SECRET, store }) });
      try {
        const recoverable = DETERMINISTIC_REQUESTS.filter(([name]) => !NEEDS_THE_RAW_BYTES.has(name));
        await expectSameAnswers(nest.url, reference.url, recoverable);
        const signedUp = await postJson(`${nest.url}/auth/sign-up/email`, {
          email: "parsed@example.com",
          password: PASSWORD,
        });
        expect(signedUp.status).toBe(200);
      } finally {
        await nest.close();
        await reference.close();
      }
    });
  }

  test.each([
    ["a JSON type Nest's parser skips", {}, "application/vnd.api+json"],
    ["bodyParser: false", { bodyParser: false }, "application/json"],
  ] as const)(
    "oversized chunked bodies read from the raw stream (%s) leave the connection usable",
    async (_name, appOptions, contentType) => {
      const nest = await serve(
        { imports: [Auth101Module.forRoot({ secret: TEST_SECRET })] },
        { ...appOptions, platform },
      );
      try {
        for (let attempt = 0; attempt < 4; attempt += 1) {
          const answer = await fetchAnswer(`${nest.url}/auth/sign-up/email`, {
            method: "POST",
            headers: { "content-type": contentType },
            signal: AbortSignal.timeout(3000),
            ...(attempt % 2 === 0 ? chunkedBody(over(1_000_000)) : { body: "{}" }),
          });
          expect(answer.status, `attempt ${attempt}`).toBe(attempt % 2 === 0 ? 413 : 400);
        }
      } finally {
        await nest.close();
      }
    },
  );

  test("a body sent chunked signs up like one with a length", async () => {
    const nest = await serve(
      { imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store: new MemoryStore() })] },
      { platform },
    );
    try {
      const answer = await fetchAnswer(`${nest.url}/auth/sign-up/email`, {
        method: "POST",
        headers: json,
        ...chunkedBody(JSON.stringify({ email: "chunked@example.com", password: PASSWORD })),
      });
      expect(answer.status).toBe(200);
      expect((answer.json as { user: { email: string } }).user.email).toBe("chunked@example.com");
    } finally {
      await nest.close();
    }
  });
});

describe.each(PLATFORMS)("a non-default path, on %s", (platform) => {
  test("serves the endpoints there, alongside Nest's global prefix, and not under /auth", async () => {
    const nest = await serve(
      {
        imports: [Auth101Module.forRoot({ secret: TEST_SECRET, path: "/api/v2/identity/" })],
        controllers: [EchoController],
      },
      { platform, configure: (app) => app.setGlobalPrefix("api") },
    );
    try {
      const signedUp = await postJson(`${nest.url}/api/v2/identity/sign-up/email`, {
        email: "p@example.com",
        password: PASSWORD,
      });
      expect(signedUp.status).toBe(200);
      const malformed = await fetchAnswer(`${nest.url}/api/v2/identity/sign-in/email`, {
        method: "POST",
        headers: json,
        body: "{",
      });
      expect(malformed.json).toEqual({
        error: { message: "Request body must be valid JSON", code: "VALIDATION_ERROR" },
      });
      const tooLarge = await fetchAnswer(`${nest.url}/api/v2/identity/sign-in/email`, {
        method: "POST",
        headers: json,
        body: over(200_000),
      });
      expect(tooLarge.status).toBe(413);
      expect((tooLarge.json as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
      expect((await fetchAnswer(`${nest.url}/auth/session`)).status).toBe(404);
      expect((await postJson(`${nest.url}/api/echo`, { a: 1 })).json).toEqual({ received: { a: 1 } });
    } finally {
      await nest.close();
    }
  });

  test.each(["", "/", "auth/:id", "auth/*rest", "a b", "../auth"])("refuses %j at startup", async (path) => {
    await expect(
      serve({ imports: [Auth101Module.forRoot({ secret: TEST_SECRET, path })] }, { abortOnError: false, platform }),
    ).rejects.toThrow(/option "path"/);
  });
});

/** Nest middleware for every route, as apps add for request ids, logging, headers. */
@Module({})
class StampModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((_request: IncomingMessage, response: ServerResponse, next: () => void) => {
        response.setHeader("x-stamp", "nest-middleware");
        next();
      })
      .forRoutes("*");
  }
}

describe.each(PLATFORMS)("what runs in front of the endpoints, on %s", (platform) => {
  let nest: RunningApp;

  beforeAll(async () => {
    nest = await serve(
      { imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store: new MemoryStore() }), StampModule] },
      { platform, cors: { origin: "https://app.example" } },
    );
  });
  afterAll(() => nest?.close());

  test("Nest's CORS answers the preflight and its headers and Nest middleware reach the answers", async () => {
    const preflight = await fetchAnswer(`${nest.url}/auth/sign-in/email`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://app.example");

    const answer = await postJson(
      `${nest.url}/auth/sign-in/email`,
      { email: "nobody@example.com", password: PASSWORD },
      { origin: "https://app.example" },
    );
    expect(answer.status).toBe(401);
    expect(answer.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(answer.headers["x-stamp"]).toBe("nest-middleware");
    expect((answer.json as { error: { code: string } }).error.code).toBe("INVALID_CREDENTIALS");
  });
});

describe("the client address the sign-in limiter counts (the platform's proxy setting)", () => {
  let emails = 0;
  const attempt = (url: string, forwardedFor: string): Promise<HttpAnswer> => {
    emails += 1;
    return postJson(
      url,
      { email: `proxy-${emails}@example.com`, password: PASSWORD },
      { "x-forwarded-for": forwardedFor },
    );
  };
  const codeOf = (answer: HttpAnswer): unknown => (answer.json as { error?: { code?: unknown } }).error?.code;

  async function withApp(appOptions: Parameters<typeof serve>[1], run: (url: string) => Promise<void>) {
    const nest = await serve(
      {
        imports: [
          Auth101Module.forRoot({
            secret: TEST_SECRET,
            rateLimit: { signInPerAddress: { attempts: 2, windowSeconds: 60 } },
            ...quiet,
          }),
        ],
      },
      appOptions,
    );
    try {
      await run(`${nest.url}/auth/sign-in/email`);
    } finally {
      await nest.close();
    }
  }

  test.each(PLATFORMS)(
    "ignores X-Forwarded-For by default on %s: every attempt counts against the socket's address",
    async (platform: Platform) => {
      await withApp({ platform }, async (url) => {
        expect(codeOf(await attempt(url, "203.0.113.1"))).toBe("INVALID_CREDENTIALS");
        expect(codeOf(await attempt(url, "203.0.113.2"))).toBe("INVALID_CREDENTIALS");
        const throttled = await attempt(url, "203.0.113.3");
        expect(throttled.status).toBe(429);
        expect(codeOf(throttled)).toBe("RATE_LIMITED");
        expect(Number(throttled.headers["retry-after"])).toBeGreaterThan(0);
      });
    },
  );

  test.each([
    ["Express, app.set", { configure: (app: NestExpressApplication) => app.set("trust proxy", "loopback") }],
    [
      "Express, the adapter's Express instance",
      {
        configure: (app: NestExpressApplication) => app.getHttpAdapter().getInstance().set("trust proxy", "loopback"),
      },
    ],
    ["Fastify, its trustProxy option", { adapter: new FastifyAdapter({ trustProxy: "loopback" }) }],
  ] as const)("counts per forwarded client when the proxy is trusted (%s)", async (_how, appOptions) => {
    await withApp(appOptions, async (url) => {
      for (const address of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) {
        expect(codeOf(await attempt(url, address)), address).toBe("INVALID_CREDENTIALS");
      }
      expect(codeOf(await attempt(url, "203.0.113.1"))).toBe("INVALID_CREDENTIALS");
      expect(codeOf(await attempt(url, "203.0.113.1"))).toBe("RATE_LIMITED");
    });
  });
});
