import { gzipSync } from "node:zlib";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { MemoryStore } from "@auth101/core";
import type { HttpAnswer } from "@auth101/testing";
import { bearer, closedAfterEach, createTestAuth, FailingStore, fetchAnswer, postJson } from "@auth101/testing";
import { describe, expect, it } from "vitest";
import { auth101Router } from "./router.js";
import { EXPRESS_VERSIONS, serve } from "./test-support/serve.js";

describe.each(EXPRESS_VERSIONS)("%s", (_version, express) => {
  const start = closedAfterEach(serve);

  /** The app's own error handler: answers with a marker so tests see who handled the error. */
  const appErrorHandler: ErrorRequestHandler = (error: { status?: number }, _req, res, _next) => {
    res.status(error.status ?? 500).json({ handledBy: "app" });
  };

  function expectJsonError(response: HttpAnswer, status: number, code: string): void {
    expect(response.headers["content-type"], response.text).toMatch(/^application\/json/);
    expect(response.status).toBe(status);
    expect(response.json).toEqual({ error: { code, message: expect.any(String) } });
    expect(response.headers["cache-control"]).toBe("no-store");
  }

  const credentials = { email: "Ada@Example.com", password: "correct horse battery" };

  describe("auth101Router: the four endpoints", () => {
    async function appWithUser() {
      const store = new MemoryStore();
      const app = express();
      app.use("/auth", auth101Router(createTestAuth(store)));
      const origin = (await start(app)).url;
      const signUp = await postJson(`${origin}/auth/sign-up/email`, credentials);
      return { store, origin, signUp, token: (signUp.json as { token: string }).token };
    }

    it("POST /sign-up/email answers 200 with the user and a token, not cached", async () => {
      const { signUp } = await appWithUser();
      expect(signUp.status).toBe(200);
      expect(signUp.json).toEqual({
        user: { id: expect.any(String), email: "ada@example.com", is_active: true },
        token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      });
      expect(signUp.headers["cache-control"]).toBe("no-store");
      expect(signUp.headers["content-type"]).toMatch(/^application\/json/);
    });

    it("POST /sign-up/email answers 409 USER_EXISTS for a taken email and 400 VALIDATION_ERROR for a bad one", async () => {
      const { origin } = await appWithUser();
      expectJsonError(await postJson(`${origin}/auth/sign-up/email`, credentials), 409, "USER_EXISTS");
      expectJsonError(
        await postJson(`${origin}/auth/sign-up/email`, { email: "not-an-email", password: credentials.password }),
        400,
        "VALIDATION_ERROR",
      );
      expectJsonError(
        await postJson(`${origin}/auth/sign-up/email`, { email: "a@b.co", password: 12345678 }),
        400,
        "VALIDATION_ERROR",
      );
    });

    it("POST /sign-in/email answers 200 with a token, or 401 INVALID_CREDENTIALS with WWW-Authenticate", async () => {
      const { origin } = await appWithUser();
      const signIn = await postJson(`${origin}/auth/sign-in/email`, credentials);
      expect(signIn.status).toBe(200);
      expect(signIn.json).toEqual({
        user: expect.objectContaining({ email: "ada@example.com" }),
        token: expect.any(String),
      });
      expect(signIn.headers["cache-control"]).toBe("no-store");

      const wrong = await postJson(`${origin}/auth/sign-in/email`, { ...credentials, password: "wrong password!" });
      expectJsonError(wrong, 401, "INVALID_CREDENTIALS");
      expect(wrong.headers["www-authenticate"]).toMatch(/^Bearer/);
    });

    it("GET /session answers 200 with the user for a valid token", async () => {
      const { origin, token, signUp } = await appWithUser();
      const session = await fetchAnswer(`${origin}/auth/session`, { headers: bearer(token) });
      expect(session.status).toBe(200);
      expect(session.json).toEqual({ user: (signUp.json as { user: unknown }).user });
    });

    it("GET /session answers 401 UNAUTHORIZED, INVALID_TOKEN and USER_NOT_FOUND, each with WWW-Authenticate", async () => {
      const { origin, token, store, signUp } = await appWithUser();
      const none = await fetchAnswer(`${origin}/auth/session`);
      expectJsonError(none, 401, "UNAUTHORIZED");
      expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);

      const invalid = await fetchAnswer(`${origin}/auth/session`, { headers: bearer("not.a.token") });
      expectJsonError(invalid, 401, "INVALID_TOKEN");
      expect(invalid.headers["www-authenticate"]).toMatch(/error="invalid_token"/);

      await store.setActive((signUp.json as { user: { id: string } }).user.id, false);
      const gone = await fetchAnswer(`${origin}/auth/session`, { headers: bearer(token) });
      expectJsonError(gone, 401, "USER_NOT_FOUND");
      expect(gone.headers["www-authenticate"]).toMatch(/^Bearer/);
    });

    it("POST /sign-out answers 200 { success: true }, or 401 without a token", async () => {
      const { origin, token } = await appWithUser();
      const signOut = await fetchAnswer(`${origin}/auth/sign-out`, { method: "POST", headers: bearer(token) });
      expect(signOut.status).toBe(200);
      expect(signOut.json).toEqual({ success: true });
      expectJsonError(await fetchAnswer(`${origin}/auth/sign-out`, { method: "POST" }), 401, "UNAUTHORIZED");
    });

    it("answers 405 with Allow for the wrong method", async () => {
      const { origin } = await appWithUser();
      const get = await fetchAnswer(`${origin}/auth/sign-in/email`);
      expectJsonError(get, 405, "VALIDATION_ERROR");
      expect(get.headers["allow"]).toBe("POST");
      const post = await fetchAnswer(`${origin}/auth/session`, { method: "POST" });
      expectJsonError(post, 405, "VALIDATION_ERROR");
      expect(post.headers["allow"]).toBe("GET");
      const options = await fetchAnswer(`${origin}/auth/sign-up/email`, { method: "OPTIONS" });
      expectJsonError(options, 405, "VALIDATION_ERROR");
      expect(options.headers["allow"]).toBe("POST");
    });

    it("answers 503 STORE_UNAVAILABLE with the error body when the store fails", async () => {
      const app = express();
      app.use("/auth", auth101Router(createTestAuth(new FailingStore())));
      app.use(appErrorHandler);
      const origin = (await start(app)).url;
      const { token } = (await appWithUser()).signUp.json as { token: string };

      expectJsonError(await postJson(`${origin}/auth/sign-up/email`, credentials), 503, "STORE_UNAVAILABLE");
      expectJsonError(await postJson(`${origin}/auth/sign-in/email`, credentials), 503, "STORE_UNAVAILABLE");
      expectJsonError(
        await fetchAnswer(`${origin}/auth/session`, { headers: bearer(token) }),
        503,
        "STORE_UNAVAILABLE",
      );
    });

    it("answers 429 with Retry-After per client address, as Express's trust proxy setting resolves it", async () => {
      const oneSignUpPerAddress = { rateLimit: { signUpPerAddress: { attempts: 1, windowSeconds: 60 } } };
      const signUp = (origin: string, email: string, address: string) =>
        postJson(`${origin}/auth/sign-up/email`, { ...credentials, email }, { "x-forwarded-for": address });

      const behindProxy = express();
      behindProxy.set("trust proxy", "loopback");
      behindProxy.use("/auth", auth101Router(createTestAuth(new MemoryStore(), oneSignUpPerAddress)));
      const proxied = (await start(behindProxy)).url;
      expect((await signUp(proxied, "one@example.com", "203.0.113.1")).status).toBe(200);
      const limited = await signUp(proxied, "two@example.com", "203.0.113.1");
      expectJsonError(limited, 429, "RATE_LIMITED");
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
      expect((await signUp(proxied, "three@example.com", "203.0.113.2")).status).toBe(200);

      // Without trust proxy, X-Forwarded-For is ignored: every request comes from 127.0.0.1.
      const direct = express();
      direct.use("/auth", auth101Router(createTestAuth(new MemoryStore(), oneSignUpPerAddress)));
      const origin = (await start(direct)).url;
      expect((await signUp(origin, "one@example.com", "203.0.113.1")).status).toBe(200);
      expect((await signUp(origin, "two@example.com", "203.0.113.2")).status).toBe(429);
    });

    it("lets other paths under the prefix through to the app's routes", async () => {
      const app = express();
      app.use("/auth", auth101Router(createTestAuth()));
      app.get("/auth/providers", (_req, res) => {
        res.json({ providers: ["email"] });
      });
      const origin = (await start(app)).url;
      const providers = await fetchAnswer(`${origin}/auth/providers`);
      expect(providers.status).toBe(200);
      expect(providers.json).toEqual({ providers: ["email"] });
      // Unknown paths get whatever the app answers (here Express's 404), not an auth101 error.
      expect((await fetchAnswer(`${origin}/auth/unknown`)).status).toBe(404);
      expect((await fetchAnswer(`${origin}/auth/sign-in/email/extra`, { method: "POST" })).json).toBeUndefined();
      expect((await fetchAnswer(`${origin}/auth/session/`)).json).toBeUndefined();
      expect((await fetchAnswer(`${origin}/auth/SESSION`)).json).toBeUndefined();
    });
  });

  describe("auth101Router: request bodies", () => {
    it("answers malformed JSON with 400, a non-JSON content type with 415, and an empty body with 400", async () => {
      const app = express();
      app.use("/auth", auth101Router(createTestAuth()));
      const origin = (await start(app)).url;
      const url = `${origin}/auth/sign-in/email`;

      expectJsonError(
        await fetchAnswer(url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"email":' }),
        400,
        "VALIDATION_ERROR",
      );
      expectJsonError(
        await fetchAnswer(url, {
          method: "POST",
          headers: { "content-type": "text/plain" },
          body: JSON.stringify(credentials),
        }),
        415,
        "VALIDATION_ERROR",
      );
      expectJsonError(
        await fetchAnswer(url, { method: "POST", headers: { "content-type": "application/json" } }),
        400,
        "VALIDATION_ERROR",
      );
      expectJsonError(await fetchAnswer(url, { method: "POST" }), 400, "VALIDATION_ERROR");
      expectJsonError(await postJson(url, [credentials]), 400, "VALIDATION_ERROR");
    });

    it("answers a body over 64 KiB with 413, with or without Content-Length, and keeps serving", async () => {
      const app = express();
      app.use("/auth", auth101Router(createTestAuth()));
      const origin = (await start(app)).url;
      const url = `${origin}/auth/sign-up/email`;
      const oversized = JSON.stringify({ ...credentials, padding: "x".repeat(65 * 1024) });

      expectJsonError(
        await fetchAnswer(url, { method: "POST", headers: { "content-type": "application/json" }, body: oversized }),
        413,
        "VALIDATION_ERROR",
      );
      const chunked = await fetchAnswer(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Blob([oversized]).stream(),
        duplex: "half",
      } as RequestInit);
      expectJsonError(chunked, 413, "VALIDATION_ERROR");
      expect((await postJson(url, credentials)).status).toBe(200);
    });

    it("accepts application/*+json and a charset parameter", async () => {
      const app = express();
      app.use("/auth", auth101Router(createTestAuth()));
      const origin = (await start(app)).url;
      const signUp = await postJson(`${origin}/auth/sign-up/email`, credentials, {
        "content-type": "application/vnd.api+json; charset=utf-8",
      });
      expect(signUp.status).toBe(200);
    });

    /** Each parser, and a content type it consumes. */
    const earlierParsers: ReadonlyArray<readonly [string, RequestHandler[], string]> = [
      ["express.json()", [express.json()], "application/json"],
      ["express.text()", [express.text()], "text/plain"],
      ["express.urlencoded()", [express.urlencoded({ extended: false })], "application/x-www-form-urlencoded"],
      ["express.text({ type: '*/*' })", [express.text({ type: "*/*" })], "application/json"],
      ["express.raw({ type: '*/*' })", [express.raw({ type: "*/*" })], "application/json"],
      [
        "json, urlencoded and text together",
        [express.json(), express.urlencoded({ extended: true }), express.text()],
        "application/json",
      ],
    ];

    describe.each(earlierParsers)("with %s mounted before the router", (_name, parsers, parsedContentType) => {
      async function origin(): Promise<string> {
        const app = express();
        app.use(...parsers);
        app.use("/auth", auth101Router(createTestAuth()));
        app.post("/auth/echo", (req, res) => {
          res.json({ echoed: req.body as unknown });
        });
        app.use(appErrorHandler);
        return (await start(app)).url;
      }

      it("signs up and in with a JSON body", async () => {
        const base = await origin();
        expect((await postJson(`${base}/auth/sign-up/email`, credentials)).status).toBe(200);
        expect((await postJson(`${base}/auth/sign-in/email`, credentials)).status).toBe(200);
      });

      it("answers malformed JSON with 400 and the JSON error body", async () => {
        const base = await origin();
        const response = await fetchAnswer(`${base}/auth/sign-in/email`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{not json",
        });
        expectJsonError(response, 400, "VALIDATION_ERROR");
      });

      it("answers text and form bodies with 415", async () => {
        const base = await origin();
        const url = `${base}/auth/sign-in/email`;
        expectJsonError(
          await fetchAnswer(url, {
            method: "POST",
            headers: { "content-type": "text/plain" },
            body: JSON.stringify(credentials),
          }),
          415,
          "VALIDATION_ERROR",
        );
        expectJsonError(
          await fetchAnswer(url, { method: "POST", body: new URLSearchParams(credentials) }),
          415,
          "VALIDATION_ERROR",
        );
      });

      it("answers 413 for a body over 64 KiB, whether or not the earlier parser's own 100 KB limit refused it", async () => {
        const base = await origin();
        const url = `${base}/auth/sign-up/email`;
        for (const paddingBytes of [70 * 1024, 200 * 1024]) {
          const body = JSON.stringify({ ...credentials, padding: "x".repeat(paddingBytes) });
          expectJsonError(
            await fetchAnswer(url, { method: "POST", headers: { "content-type": "application/json" }, body }),
            413,
            "VALIDATION_ERROR",
          );
          const form = new URLSearchParams({ ...credentials, padding: "x".repeat(paddingBytes) });
          expectJsonError(await fetchAnswer(url, { method: "POST", body: form }), 413, "VALIDATION_ERROR");
        }
      });

      it("leaves the parser's errors on the app's own routes under the prefix to the app", async () => {
        const base = await origin();
        const response = await fetchAnswer(`${base}/auth/echo`, {
          method: "POST",
          headers: { "content-type": parsedContentType },
          body: "x".repeat(200 * 1024),
        });
        expect(response.status).toBe(413);
        expect(response.json).toEqual({ handledBy: "app" });
      });
    });

    it("answers a charset or content encoding express.json() refuses with 415 and the JSON error body", async () => {
      const app = express();
      app.use(express.json({ inflate: false }));
      app.use("/auth", auth101Router(createTestAuth()));
      const origin = (await start(app)).url;
      const url = `${origin}/auth/sign-in/email`;
      const body = JSON.stringify(credentials);
      expectJsonError(
        await fetchAnswer(url, {
          method: "POST",
          headers: { "content-type": "application/json; charset=latin1" },
          body,
        }),
        415,
        "VALIDATION_ERROR",
      );
      expectJsonError(
        await fetchAnswer(url, {
          method: "POST",
          headers: { "content-type": "application/json", "content-encoding": "gzip" },
          body,
        }),
        415,
        "VALIDATION_ERROR",
      );
    });

    it("answers alike with or without express.json() in front, as the core judges the body", async () => {
      const bare = express();
      bare.use("/auth", auth101Router(createTestAuth()));
      const parsed = express();
      parsed.use(express.json());
      parsed.use("/auth", auth101Router(createTestAuth()));
      parsed.use(appErrorHandler);
      const origins = [(await start(bare)).url, (await start(parsed)).url];
      const json = { "content-type": "application/json" };
      const cases: ReadonlyArray<readonly [name: string, status: number, init: RequestInit]> = [
        [
          "gzip Content-Encoding",
          415,
          { headers: { ...json, "content-encoding": "gzip" }, body: gzipSync(JSON.stringify(credentials)) },
        ],
        [
          "unknown Content-Encoding",
          415,
          { headers: { ...json, "content-encoding": "x-unknown" }, body: JSON.stringify(credentials) },
        ],
        [
          "UTF-16 charset",
          415,
          { headers: { "content-type": "application/json; charset=utf-16" }, body: JSON.stringify(credentials) },
        ],
        ["empty body with Content-Length: 0", 400, { headers: json, body: "" }],
        ["a JSON string", 400, { headers: json, body: '"ada"' }],
        ["a JSON null", 400, { headers: json, body: "null" }],
      ];
      for (const [name, status, init] of cases) {
        const [withoutParser, withParser] = await Promise.all(
          origins.map((origin) => fetchAnswer(`${origin}/auth/sign-in/email`, { method: "POST", ...init })),
        );
        expectJsonError(withoutParser!, status, "VALIDATION_ERROR");
        expect({ status: withParser!.status, body: withParser!.json }, name).toEqual({
          status,
          body: withoutParser!.json,
        });
      }
    });

    it("passes errors that are not a body parser's on to the app's error handler", async () => {
      const app = express();
      app.use((_req, _res, next) => {
        next(Object.assign(new Error("Forbidden by policy"), { status: 403 }));
      });
      app.use("/auth", auth101Router(createTestAuth()));
      app.use(appErrorHandler);
      const origin = (await start(app)).url;
      const response = await postJson(`${origin}/auth/sign-in/email`, credentials);
      expect(response.status).toBe(403);
      expect(response.json).toEqual({ handledBy: "app" });
    });
  });

  describe("auth101Router: mounting", () => {
    it("serves the endpoints under any prefix, in a nested router, or at the root", async () => {
      const nested = express.Router();
      nested.use("/identity", auth101Router(createTestAuth()));
      const app = express();
      app.use("/api/v1", nested);
      app.use("/accounts/auth", auth101Router(createTestAuth()));
      const origin = (await start(app)).url;

      for (const prefix of ["/api/v1/identity", "/accounts/auth"]) {
        const signUp = await postJson(`${origin}${prefix}/sign-up/email`, credentials);
        expect(signUp.status).toBe(200);
        const { token } = signUp.json as { token: string };
        expect((await fetchAnswer(`${origin}${prefix}/session?unused=1`, { headers: bearer(token) })).status).toBe(200);
      }
      expect((await postJson(`${origin}/auth/sign-up/email`, credentials)).status).toBe(404);

      const root = express();
      root.use(auth101Router(createTestAuth()));
      const rootOrigin = (await start(root)).url;
      expect((await postJson(`${rootOrigin}/sign-up/email`, credentials)).status).toBe(200);
    });
  });
});
