import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { connect } from "node:net";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Auth101 } from "@auth101/core";
import { MAX_BODY_BYTES } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { Auth101Options, AuthFailureEvent } from "@auth101/core";
import type { UserStore } from "@auth101/core";
import {
  describeAccountEmailEndpoints,
  describeChangePassword,
  describeAccountEmailsOff,
  describeRequiredVerification,
  Outbox,
} from "./http-conformance-accounts.js";
import type { PublicUserJson } from "./support/expectations.js";
import { describeCookieTransport } from "./http-conformance-cookie.js";
import { describeSecretRotation } from "./http-conformance-rotation.js";
import {
  describeAnswer,
  expectErrorAnswer,
  expectNoSecrets,
  expectSessionAnswer,
  expectSessionCreated,
  expectSessionList,
  expectSignedOut,
} from "./support/expectations.js";
import { GOOD_PASSWORD, randomSecret, uniqueEmail } from "./support/fixtures.js";
import type { HttpAnswer, HttpExchange, StartConformanceServer } from "./support/http-client.js";
import { PROTECTED_PATH, bearer, describedHttp, jsonPost } from "./support/http-client.js";
import { BrokenStore, FailingStore } from "./support/stores.js";
import type { TokenClaims } from "./support/tokens.js";
import { ISSUER, hs256WithHeader, signedToken, tamperedToken, unsignedToken, validClaims } from "./support/tokens.js";

/** Auth101 options the suites pass through to every instance they build (not secret, store or issuer). */
export type ConformanceAuthOptions = Omit<Auth101Options, "secret" | "store" | "issuer" | "onFailure">;

export interface HttpConformanceOptions {
  /** Mount prefixes the whole suite runs under, one server each. Default `["/auth", "/api/v1/identity"]`. */
  readonly prefixes?: readonly string[];
  /** Further options for the `Auth101` instances the suite builds. */
  readonly authOptions?: ConformanceAuthOptions;
  /** Milliseconds allowed for starting and closing a server. Default 30 000. */
  readonly serverTimeoutMs?: number;
  /**
   * The store each working server keeps its users and sessions in, a new one per server: run the
   * whole HTTP contract over a store of your own. Default: a `MemoryStore`. The suites of a failing
   * and a misbehaving store keep their own.
   */
  readonly createStore?: () => UserStore | Promise<UserStore>;
  /** Called once after the suite, to close what `createStore` opened. */
  readonly teardown?: () => Promise<void> | void;
}

export const DEFAULT_PREFIXES: readonly string[] = ["/auth", "/api/v1/identity"];

const CREDENTIAL_ENDPOINTS = ["/sign-up/email", "/sign-in/email"] as const;
const TOKEN_ENDPOINTS = [
  { name: "POST /sign-out", method: "POST", path: (prefix: string) => `${prefix}/sign-out` },
  { name: "POST /sign-out/all", method: "POST", path: (prefix: string) => `${prefix}/sign-out/all` },
  { name: "GET /session", method: "GET", path: (prefix: string) => `${prefix}/session` },
  { name: "GET /sessions", method: "GET", path: (prefix: string) => `${prefix}/sessions` },
  { name: "DELETE /sessions/{id}", method: "DELETE", path: (prefix: string) => `${prefix}/sessions/${randomUUID()}` },
  { name: `GET ${PROTECTED_PATH} (guard)`, method: "GET", path: () => PROTECTED_PATH },
] as const;

interface Fixture {
  url: string;
  prefix: string;
  secret: string;
  auth: Auth101;
  store: UserStore;
  failures: AuthFailureEvent[];
  send(exchange: HttpExchange): Promise<HttpAnswer>;
}

/**
 * The HTTP contract of docs/http-api.md as a vitest suite, run over real HTTP against a server an
 * integration starts. An integration's test file calls it once:
 *
 * ```ts
 * describeHttpConformance("express", async ({ auth, prefix }) => {
 *   const app = express();
 *   app.use(prefix, auth101Router(auth));
 *   const me: RequestHandler = (req, res) => res.json({ id: req.authUser.id, email: req.authUser.email });
 *   app.get("/protected", requireUser(auth), me);
 *   app.post("/protected", requireUser(auth), me);
 *   const server = app.listen(0, "127.0.0.1");
 *   await once(server, "listening");
 *   return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
 * });
 * ```
 *
 * The suite builds the `Auth101` instances itself (a MemoryStore, a store that fails, a
 * store that misbehaves), so the server must use the one it is given. Sign-ups and sign-ins
 * hash with the production Argon2 parameters; the suite keeps them few.
 */
export function describeHttpConformance(
  name: string,
  startServer: StartConformanceServer,
  options: HttpConformanceOptions = {},
): void {
  const prefixes = options.prefixes ?? DEFAULT_PREFIXES;
  const serverTimeoutMs = options.serverTimeoutMs ?? 30_000;
  const createStore = options.createStore ?? (() => new MemoryStore());

  describe(`HTTP conformance: ${name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown, serverTimeoutMs);
    for (const prefix of prefixes) {
      describe(`endpoints mounted at ${prefix}`, () => {
        const fixture = useServer(startServer, prefix, createStore, options.authOptions, serverTimeoutMs);
        describeEndpoints(fixture, prefixes);
        describe("without email senders", () => describeAccountEmailsOff(fixture));
        if (prefix === prefixes[0]) describeCookieTransport(fixture);
      });
    }

    describe("password reset and email verification (senders given)", () => {
      const outbox = new Outbox();
      const fixture = useServer(
        startServer,
        prefixes[0] ?? "/auth",
        createStore,
        { ...options.authOptions, ...outbox.options() },
        serverTimeoutMs,
      );
      describeAccountEmailEndpoints(fixture, outbox);
      describeChangePassword(fixture);
    });

    describe("email verification required", () => {
      const outbox = new Outbox();
      const fixture = useServer(
        startServer,
        prefixes[0] ?? "/auth",
        createStore,
        { ...options.authOptions, ...outbox.options(true) },
        serverTimeoutMs,
      );
      describeRequiredVerification(fixture, outbox);
    });

    describeSecretRotation(startServer, prefixes[0] ?? "/auth", options.authOptions, createStore, serverTimeoutMs);

    describe("when the user store fails (503)", () => {
      const fixture = useServer(
        startServer,
        prefixes[0] ?? "/auth",
        () => new FailingStore(),
        options.authOptions,
        serverTimeoutMs,
      );
      describeFailingStore(fixture);
    });

    describe("when attempts are throttled (429)", () => {
      const throttled: ConformanceAuthOptions = {
        ...options.authOptions,
        rateLimit: {
          signInPerAccount: { attempts: 2, windowSeconds: 600 },
          signUpPerAddress: { attempts: 1, windowSeconds: 600 },
        },
      };
      const fixture = useServer(startServer, prefixes[0] ?? "/auth", createStore, throttled, serverTimeoutMs);
      describeRateLimits(fixture);
    });

    describe("when the user store misbehaves (500)", () => {
      const fixture = useServer(
        startServer,
        prefixes[0] ?? "/auth",
        () => new BrokenStore(),
        options.authOptions,
        serverTimeoutMs,
      );
      describeBrokenStore(fixture);
    });
  });
}

function useServer(
  startServer: StartConformanceServer,
  prefix: string,
  createStore: () => UserStore | Promise<UserStore>,
  authOptions: ConformanceAuthOptions | undefined,
  timeoutMs: number,
): Fixture {
  const fixture = { prefix, failures: [] as AuthFailureEvent[] } as Fixture;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    fixture.secret = randomSecret();
    fixture.store = await createStore();
    const options: Auth101Options = {
      ...authOptions,
      secret: fixture.secret,
      store: fixture.store,
      issuer: ISSUER,
      onFailure: (event) => fixture.failures.push(event),
    };
    fixture.auth = new Auth101(options);
    const server = await startServer({ auth: fixture.auth, authOptions: options, prefix });
    expect(server.url, "ConformanceServer.url must look like http://127.0.0.1:PORT").toMatch(/^http:\/\/[^/]+:\d+$/);
    fixture.url = server.url;
    fixture.send = describedHttp(server.url, { auth: fixture.auth, prefix });
    close = () => server.close();
  }, timeoutMs);
  afterAll(async () => {
    await close?.();
  }, timeoutMs);
  return fixture;
}

interface Registered {
  readonly user: PublicUserJson;
  readonly token: string;
  readonly password: string;
}

/** A user put straight into the store (no hashing): for tests that need sessions, not sign-in. */
async function storedUser(fixture: Fixture, label: string): Promise<PublicUserJson> {
  const user = await fixture.store.create({ email: uniqueEmail(label), passwordHash: "$argon2id$unused" });
  return { id: user.id, email: user.email, is_active: user.isActive };
}

/**
 * A token for a new session of the user, made as the core makes them (a signed token whose
 * `jti` names a session in the store), without the cost of a sign-in. `claims` edits the
 * token's claims; `sessionExpiresAt` the stored session's end.
 */
async function liveToken(
  fixture: Fixture,
  userId: string,
  options: { claims?: TokenClaims; sessionExpiresAt?: Date; createdAt?: Date } = {},
): Promise<string> {
  const claims = { ...validClaims(userId), ...options.claims };
  await fixture.store.createSession({
    id: claims.jti as string,
    userId,
    createdAt: options.createdAt ?? new Date(),
    expiresAt: options.sessionExpiresAt ?? new Date((claims.exp as number) * 1000),
  });
  return signedToken(fixture.secret, claims);
}

function describeEndpoints(fixture: Fixture, allPrefixes: readonly string[]): void {
  const at = (path: string): string => `${fixture.prefix}${path}`;
  // Signed up through the core, not over HTTP: the endpoints are tested below. Alice's token
  // is never signed out; tests that end sessions make their own.
  let alice: Registered;
  let deactivated: Registered;
  let deletedUserToken: string;

  beforeAll(async () => {
    alice = await registered(fixture.auth, uniqueEmail("alice"));
    deactivated = await registered(fixture.auth, uniqueEmail("deactivated"));
    await fixture.store.setActive(deactivated.user.id, false);
    // A user that existed, had a session, and was deleted (the session with them): no hashing needed.
    const gone = await storedUser(fixture, "deleted");
    deletedUserToken = await liveToken(fixture, gone.id);
    await fixture.store.deleteUser(gone.id);
  });

  const sessionOf = (token: string): Promise<HttpAnswer> =>
    fixture.send({ method: "GET", path: at("/session"), headers: bearer(token) });
  const jtiOf = (token: string): string =>
    (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { jti: string }).jti;

  describe("POST /sign-up/email", () => {
    it("creates the user: 200 with exactly { user, token }, the email normalized, never a hash", async () => {
      const email = uniqueEmail("new-user");
      const answer = await fixture.send(
        jsonPost(at("/sign-up/email"), { email: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD }),
      );
      const { user, token } = expectSessionCreated(answer, email);
      const claims = jwt.verify(token, fixture.secret, { algorithms: ["HS256"], issuer: ISSUER }) as Record<
        string,
        unknown
      >;
      expect(Object.keys(claims).sort()).toEqual(["exp", "iat", "iss", "jti", "sub"]);
      expect(claims["sub"]).toBe(user.id);
      expectSessionAnswer(await fixture.send({ method: "GET", path: at("/session"), headers: bearer(token) }), user);
    });

    it("lets exactly one of 4 concurrent sign-ups with one email succeed; the others answer 409", async () => {
      const email = uniqueEmail("race");
      const answers = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          fixture.send(
            jsonPost(at("/sign-up/email"), { email: i % 2 ? email.toUpperCase() : email, password: GOOD_PASSWORD }),
          ),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409, 409]);
      for (const answer of answers) if (answer.status === 409) expectErrorAnswer(answer, 409, "USER_EXISTS");
    });

    it("answers 409 USER_EXISTS for an email already registered, in any case and with spaces", async () => {
      const answer = await fixture.send(
        jsonPost(at("/sign-up/email"), {
          email: ` ${alice.user.email.toUpperCase()}  `,
          password: "another password 123",
        }),
      );
      expectErrorAnswer(answer, 409, "USER_EXISTS");
    });

    it.each([
      ["an email without @", { email: "no-at-sign.example.com", password: GOOD_PASSWORD }],
      ["an email without a domain", { email: "someone@", password: GOOD_PASSWORD }],
      ["an email without a local part", { email: "@example.com", password: GOOD_PASSWORD }],
      ["an email with two @", { email: "a@b@example.com", password: GOOD_PASSWORD }],
      ["an email with a space inside", { email: "some one@example.com", password: GOOD_PASSWORD }],
      ["an email of only spaces", { email: "   ", password: GOOD_PASSWORD }],
      ["an email over 254 characters", { email: `${"a".repeat(64)}@${"b".repeat(187)}.com`, password: GOOD_PASSWORD }],
      ["a password under 8 characters", { email: uniqueEmail("short"), password: "1234567" }],
      ["a password over 128 characters", { email: uniqueEmail("long"), password: "p".repeat(129) }],
      ["a common password", { email: uniqueEmail("common"), password: "password123" }],
    ])("answers 400 VALIDATION_ERROR for %s, before any hashing", async (_case, body) => {
      expectErrorAnswer(await fixture.send(jsonPost(at("/sign-up/email"), body)), 400, "VALIDATION_ERROR");
    });
  });

  describe("POST /sign-in/email", () => {
    it("signs in: 200 with exactly { user, token }, the email matched case-insensitively", async () => {
      const answer = await fixture.send(
        jsonPost(at("/sign-in/email"), { email: `\t${alice.user.email.toUpperCase()} `, password: alice.password }),
      );
      const { user, token } = expectSessionCreated(answer, alice.user.email);
      expect(user).toEqual(alice.user);
      expect(token).not.toBe(alice.token);
      expectSessionAnswer(
        await fixture.send({ method: "GET", path: at("/session"), headers: bearer(token) }),
        alice.user,
      );
    });

    it("answers 401 INVALID_CREDENTIALS for a wrong password", async () => {
      const answer = await fixture.send(
        jsonPost(at("/sign-in/email"), { email: alice.user.email, password: `${alice.password}!` }),
      );
      expectErrorAnswer(answer, 401, "INVALID_CREDENTIALS");
    });

    it("answers the same 401 INVALID_CREDENTIALS for an unknown email", async () => {
      const wrongPassword = await fixture.send(
        jsonPost(at("/sign-in/email"), { email: alice.user.email, password: "wrong password" }),
      );
      const unknownEmail = await fixture.send(
        jsonPost(at("/sign-in/email"), { email: uniqueEmail("nobody"), password: "wrong password" }),
      );
      expectErrorAnswer(unknownEmail, 401, "INVALID_CREDENTIALS");
      expect(unknownEmail.text).toBe(wrongPassword.text);
      expect(unknownEmail.headers["www-authenticate"]).toBe(wrongPassword.headers["www-authenticate"]);
    });

    it("answers 401 INVALID_CREDENTIALS for a deactivated account with the right password", async () => {
      const answer = await fixture.send(
        jsonPost(at("/sign-in/email"), { email: deactivated.user.email, password: deactivated.password }),
      );
      expectErrorAnswer(answer, 401, "INVALID_CREDENTIALS");
    });

    it("answers 400 VALIDATION_ERROR for a password over the maximum, before any hashing", async () => {
      const answer = await fixture.send(
        jsonPost(at("/sign-in/email"), { email: alice.user.email, password: "p".repeat(129) }),
      );
      expectErrorAnswer(answer, 400, "VALIDATION_ERROR");
    });
  });

  for (const endpoint of CREDENTIAL_ENDPOINTS) {
    describe(`request bodies of POST ${endpoint}`, () => {
      const path = (): string => at(endpoint);
      // An invalid email stops both endpoints at validation, so these cases cost no hashing.
      const rejectedByValidation = { email: "not-an-email", password: GOOD_PASSWORD };

      it.each([
        ["email missing", { password: GOOD_PASSWORD }],
        ["password missing", { email: "someone@example.com" }],
        ["both missing", {}],
        ["email null", { email: null, password: GOOD_PASSWORD }],
        ["password null", { email: "someone@example.com", password: null }],
        ["email a number", { email: 42, password: GOOD_PASSWORD }],
        ["email a boolean", { email: true, password: GOOD_PASSWORD }],
        ["email an array", { email: ["someone@example.com"], password: GOOD_PASSWORD }],
        ["email an object", { email: { address: "someone@example.com" }, password: GOOD_PASSWORD }],
        ["password a number", { email: "someone@example.com", password: 12345678 }],
        ["password an array", { email: "someone@example.com", password: [GOOD_PASSWORD] }],
        ["password an object", { email: "someone@example.com", password: { value: GOOD_PASSWORD } }],
        ["the body an array", [{ email: "someone@example.com", password: GOOD_PASSWORD }]],
        ["the body a string", "someone@example.com"],
        ["the body a number", 42],
        ["the body null", null],
        ["the body true", true],
      ])("answers 400 VALIDATION_ERROR with %s", async (_case, body) => {
        expectErrorAnswer(await fixture.send(jsonPost(path(), body)), 400, "VALIDATION_ERROR");
      });

      it.each([
        ["truncated JSON", '{"email":"someone@example.com","password":'],
        ["a trailing comma", '{"email":"someone@example.com",}'],
        ["single quotes", "{'email':'someone@example.com'}"],
        ["bare words", "email=someone@example.com"],
        ["an empty body", ""],
        ["only whitespace", "   \n"],
        ["two JSON documents", '{"email":"a@b.c"}{"password":"x"}'],
        ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
      ])("answers 400 VALIDATION_ERROR for malformed JSON: %s", async (_case, body) => {
        const answer = await fixture.send({
          method: "POST",
          path: path(),
          headers: { "content-type": "application/json" },
          body,
        });
        // Invalid UTF-8 may decode to a replacement character and then fail as JSON or as a field.
        expectErrorAnswer(answer, 400, "VALIDATION_ERROR");
      });

      it("answers 400 VALIDATION_ERROR for a JSON content type and no body at all", async () => {
        const answer = await fixture.send({
          method: "POST",
          path: path(),
          headers: { "content-type": "application/json" },
        });
        expectErrorAnswer(answer, 400, "VALIDATION_ERROR");
      });

      it.each([
        ["text/plain", JSON.stringify(rejectedByValidation)],
        ["application/x-www-form-urlencoded", "email=someone%40example.com&password=correct+horse"],
        [
          "multipart/form-data; boundary=x",
          '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.c\r\n--x--\r\n',
        ],
        ["application/xml", "<email>someone@example.com</email>"],
        ["text/json", JSON.stringify(rejectedByValidation)],
        ["application/jsonp", JSON.stringify(rejectedByValidation)],
        ["application/octet-stream", JSON.stringify(rejectedByValidation)],
      ])("answers 415 VALIDATION_ERROR for Content-Type %s", async (contentType, body) => {
        const answer = await fixture.send({
          method: "POST",
          path: path(),
          headers: { "content-type": contentType },
          body,
        });
        expectErrorAnswer(answer, 415, "VALIDATION_ERROR");
      });

      it("answers 415 VALIDATION_ERROR for a body without a Content-Type", async () => {
        const answer = await fixture.send({ method: "POST", path: path(), body: JSON.stringify(rejectedByValidation) });
        expectErrorAnswer(answer, 415, "VALIDATION_ERROR");
      });

      it.each([
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/json;charset=UTF-8",
        "application/vnd.api+json",
      ])("reads the body for Content-Type %s", async (contentType) => {
        const answer = await fixture.send({
          method: "POST",
          path: path(),
          headers: { "content-type": contentType },
          body: JSON.stringify(rejectedByValidation),
        });
        expectErrorAnswer(answer, 400, "VALIDATION_ERROR");
        expect((answer.json as { error: { message: string } }).error.message).toMatch(/email/);
      });

      it(`answers 413 VALIDATION_ERROR for a body over ${MAX_BODY_BYTES} bytes with a Content-Length`, async () => {
        const answer = await fixture.send(
          jsonPost(path(), { ...rejectedByValidation, padding: "x".repeat(MAX_BODY_BYTES) }),
        );
        expectErrorAnswer(answer, 413, "VALIDATION_ERROR");
      });

      it(`answers 413 VALIDATION_ERROR for a chunked body over ${MAX_BODY_BYTES} bytes`, async () => {
        const body = JSON.stringify({ ...rejectedByValidation, padding: "x".repeat(2 * MAX_BODY_BYTES) });
        const answer = await fixture.send({
          method: "POST",
          path: path(),
          headers: { "content-type": "application/json" },
          body,
          chunked: true,
        });
        expectErrorAnswer(answer, 413, "VALIDATION_ERROR");
      });

      it(`reads a body of exactly ${MAX_BODY_BYTES} bytes`, async () => {
        const json = JSON.stringify(rejectedByValidation);
        const body = json + " ".repeat(MAX_BODY_BYTES - Buffer.byteLength(json));
        expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
        const answer = await fixture.send({
          method: "POST",
          path: path(),
          headers: { "content-type": "application/json" },
          body,
        });
        expectErrorAnswer(answer, 400, "VALIDATION_ERROR");
        expect((answer.json as { error: { message: string } }).error.message).toMatch(/email/);
      });

      it("ignores fields it does not know, including prototype keys", async () => {
        const body =
          `{"email":"not-an-email","password":"${GOOD_PASSWORD}","is_active":false,"role":"admin",` +
          `"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`;
        const answer = await fixture.send({
          method: "POST",
          path: path(),
          headers: { "content-type": "application/json" },
          body,
        });
        expectErrorAnswer(answer, 400, "VALIDATION_ERROR");
        expect((answer.json as { error: { message: string } }).error.message).toMatch(/email/);
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      });

      it("accepts a query string on the path", async () => {
        const answer = await fixture.send(jsonPost(`${path()}?redirect=%2Fhome&x`, rejectedByValidation));
        expectErrorAnswer(answer, 400, "VALIDATION_ERROR");
        expect((answer.json as { error: { message: string } }).error.message).toMatch(/email/);
      });
    });
  }

  describe("POST /sign-out", () => {
    it("answers 200 with exactly { success: true } and ends the session: the token is refused from then on", async () => {
      const token = await liveToken(fixture, alice.user.id);
      const other = await liveToken(fixture, alice.user.id);
      expectSessionAnswer(await sessionOf(token), alice.user);
      expectSignedOut(await fixture.send({ method: "POST", path: at("/sign-out"), headers: bearer(token) }));
      expectErrorAnswer(await sessionOf(token), 401, "INVALID_TOKEN");
      expectErrorAnswer(
        await fixture.send({ method: "GET", path: PROTECTED_PATH, headers: bearer(token) }),
        401,
        "INVALID_TOKEN",
      );
      // The user's other sessions go on.
      expectSessionAnswer(await sessionOf(other), alice.user);
    });

    it("answers 200 again for a session already ended: there is nothing left to end", async () => {
      const token = await liveToken(fixture, alice.user.id);
      expectSignedOut(await fixture.send({ method: "POST", path: at("/sign-out"), headers: bearer(token) }));
      expectSignedOut(await fixture.send({ method: "POST", path: at("/sign-out"), headers: bearer(token) }));
    });

    it.each([
      ["a JSON body", { "content-type": "application/json" }, '{"anything":1}'],
      ["a text body", { "content-type": "text/plain" }, "bye"],
      ["malformed JSON", { "content-type": "application/json" }, "{"],
    ])("ignores %s", async (_case, headers, body) => {
      const token = await liveToken(fixture, alice.user.id);
      expectSignedOut(
        await fixture.send({ method: "POST", path: at("/sign-out"), headers: { ...headers, ...bearer(token) }, body }),
      );
      expectErrorAnswer(await sessionOf(token), 401, "INVALID_TOKEN");
    });

    it("answers 200 for a valid token whose user is gone: there is nothing to sign out from", async () => {
      expectSignedOut(await fixture.send({ method: "POST", path: at("/sign-out"), headers: bearer(deletedUserToken) }));
    });
  });

  describe("POST /sign-out/all", () => {
    it("answers 200 with exactly { success: true } and ends every session of the user, this one included", async () => {
      const user = await storedUser(fixture, "everywhere");
      const stranger = await storedUser(fixture, "stranger");
      const tokens = [await liveToken(fixture, user.id), await liveToken(fixture, user.id)];
      const strangers = await liveToken(fixture, stranger.id);
      expectSignedOut(
        await fixture.send({ method: "POST", path: at("/sign-out/all"), headers: bearer(tokens[1] as string) }),
      );
      for (const token of tokens) expectErrorAnswer(await sessionOf(token), 401, "INVALID_TOKEN");
      expectSessionAnswer(await sessionOf(strangers), stranger);
    });

    it("ignores a body, even malformed JSON", async () => {
      const user = await storedUser(fixture, "everywhere-body");
      const token = await liveToken(fixture, user.id);
      expectSignedOut(
        await fixture.send({
          method: "POST",
          path: at("/sign-out/all"),
          headers: { "content-type": "application/json", ...bearer(token) },
          body: "{",
        }),
      );
      expectErrorAnswer(await sessionOf(token), 401, "INVALID_TOKEN");
    });

    it("answers 401 INVALID_TOKEN for a session already ended, and ends none of the others", async () => {
      const user = await storedUser(fixture, "stolen");
      const ended = await liveToken(fixture, user.id);
      const kept = await liveToken(fixture, user.id);
      expectSignedOut(await fixture.send({ method: "POST", path: at("/sign-out"), headers: bearer(ended) }));
      expectErrorAnswer(
        await fixture.send({ method: "POST", path: at("/sign-out/all"), headers: bearer(ended) }),
        401,
        "INVALID_TOKEN",
      );
      expectSessionAnswer(await sessionOf(kept), user);
    });
  });

  describe("GET /sessions", () => {
    it("answers 200 with exactly { sessions }: the user's live sessions, newest first, the caller's marked current", async () => {
      const user = await storedUser(fixture, "lister");
      const stranger = await storedUser(fixture, "not-listed");
      const minutesAgo = (minutes: number): Date => new Date(Date.now() - minutes * 60_000);
      const oldest = await liveToken(fixture, user.id, { createdAt: minutesAgo(30) });
      const callerCreatedAt = minutesAgo(20);
      const caller = await liveToken(fixture, user.id, { createdAt: callerCreatedAt });
      const newest = await liveToken(fixture, user.id, { createdAt: minutesAgo(10) });
      await liveToken(fixture, user.id, { createdAt: minutesAgo(40), sessionExpiresAt: minutesAgo(1) });
      await liveToken(fixture, stranger.id);

      const sessions = expectSessionList(
        await fixture.send({ method: "GET", path: at("/sessions"), headers: bearer(caller) }),
      );
      expect(sessions.map(({ id, current }) => [id, current])).toEqual([
        [jtiOf(newest), false],
        [jtiOf(caller), true],
        [jtiOf(oldest), false],
      ]);
      const callerItem = sessions[1] as { created_at: string; expires_at: string };
      const claims = JSON.parse(Buffer.from(caller.split(".")[1] ?? "", "base64url").toString("utf8")) as {
        exp: number;
      };
      expect(callerItem.expires_at).toBe(new Date(claims.exp * 1000).toISOString());
      expect(callerItem.created_at).toBe(callerCreatedAt.toISOString());
    });

    it("accepts a query string on the path", async () => {
      const sessions = expectSessionList(
        await fixture.send({ method: "GET", path: `${at("/sessions")}?page=2`, headers: bearer(alice.token) }),
      );
      expect(sessions.filter((session) => session.current).map((session) => session.id)).toEqual([jtiOf(alice.token)]);
    });
  });

  describe("DELETE /sessions/{id}", () => {
    it("answers 200 with exactly { success: true } and ends that session of the caller's", async () => {
      const user = await storedUser(fixture, "ender");
      const caller = await liveToken(fixture, user.id);
      const laptop = await liveToken(fixture, user.id);
      expectSignedOut(
        await fixture.send({ method: "DELETE", path: at(`/sessions/${jtiOf(laptop)}`), headers: bearer(caller) }),
      );
      expectErrorAnswer(await sessionOf(laptop), 401, "INVALID_TOKEN");
      expectSessionAnswer(await sessionOf(caller), user);
      const listed = expectSessionList(
        await fixture.send({ method: "GET", path: at("/sessions"), headers: bearer(caller) }),
      );
      expect(listed.map((session) => session.id)).toEqual([jtiOf(caller)]);
    });

    it("ends the caller's own session when given its id", async () => {
      const user = await storedUser(fixture, "self-ender");
      const caller = await liveToken(fixture, user.id);
      expectSignedOut(
        await fixture.send({ method: "DELETE", path: at(`/sessions/${jtiOf(caller)}`), headers: bearer(caller) }),
      );
      expectErrorAnswer(await sessionOf(caller), 401, "INVALID_TOKEN");
    });

    it("answers the same 200 for another user's session, and changes nothing", async () => {
      const user = await storedUser(fixture, "meddler");
      const victim = await storedUser(fixture, "victim");
      const caller = await liveToken(fixture, user.id);
      const theirs = await liveToken(fixture, victim.id);
      expectSignedOut(
        await fixture.send({ method: "DELETE", path: at(`/sessions/${jtiOf(theirs)}`), headers: bearer(caller) }),
      );
      expectSessionAnswer(await sessionOf(theirs), victim);
    });

    it.each([
      ["an unknown session id", () => randomUUID()],
      ["an id that is no session id", () => "not-a-session"],
      ["a percent-encoded id", () => "%2Fetc%2Fpasswd"],
      ["a long id", () => "a".repeat(2000)],
    ])("answers the same 200 for %s", async (_case, id) => {
      const user = await storedUser(fixture, "unknown-id");
      const caller = await liveToken(fixture, user.id);
      expectSignedOut(await fixture.send({ method: "DELETE", path: at(`/sessions/${id()}`), headers: bearer(caller) }));
      expectSessionAnswer(await sessionOf(caller), user);
    });

    it("ignores a body, even malformed JSON", async () => {
      const user = await storedUser(fixture, "delete-body");
      const caller = await liveToken(fixture, user.id);
      const laptop = await liveToken(fixture, user.id);
      expectSignedOut(
        await fixture.send({
          method: "DELETE",
          path: at(`/sessions/${jtiOf(laptop)}`),
          headers: { "content-type": "application/json", ...bearer(caller) },
          body: "{",
        }),
      );
      expectErrorAnswer(await sessionOf(laptop), 401, "INVALID_TOKEN");
    });
  });

  describe("GET /session", () => {
    it("answers 200 with exactly { user }", async () => {
      expectSessionAnswer(
        await fixture.send({ method: "GET", path: at("/session"), headers: bearer(alice.token) }),
        alice.user,
      );
    });

    it("accepts a query string on the path (and never reads a token from it)", async () => {
      const withQuery = await fixture.send({
        method: "GET",
        path: `${at("/session")}?x=1&y`,
        headers: bearer(alice.token),
      });
      expectSessionAnswer(withQuery, alice.user);
      const tokenInQuery = await fixture.send({ method: "GET", path: `${at("/session")}?access_token=${alice.token}` });
      expectErrorAnswer(tokenInQuery, 401, "UNAUTHORIZED");
    });
  });

  describe(`GET ${PROTECTED_PATH} behind the guard`, () => {
    it("hands the route the signed-in User", async () => {
      const answer = await fixture.send({ method: "GET", path: PROTECTED_PATH, headers: bearer(alice.token) });
      expect(answer.status, describeAnswer(answer)).toBe(200);
      expect(answer.json).toEqual({ id: alice.user.id, email: alice.user.email });
    });

    it("accepts a query string on the path", async () => {
      const answer = await fixture.send({
        method: "GET",
        path: `${PROTECTED_PATH}?page=2`,
        headers: bearer(alice.token),
      });
      expect(answer.status, describeAnswer(answer)).toBe(200);
      expect(answer.json).toEqual({ id: alice.user.id, email: alice.user.email });
    });
  });

  for (const endpoint of TOKEN_ENDPOINTS) {
    describe(`Authorization header on ${endpoint.name}`, () => {
      const send = (headers: Record<string, string>): Promise<HttpAnswer> =>
        fixture.send({ method: endpoint.method, path: endpoint.path(fixture.prefix), headers });
      const expectAccepted = (answer: HttpAnswer): void => {
        expect(answer.status, describeAnswer(answer)).toBe(200);
        expectNoSecrets(answer);
      };
      // A user of this block's own, and a session per acceptance test, as some of these
      // endpoints end one session or all of them.
      let owner: PublicUserJson;
      beforeAll(async () => {
        owner = await storedUser(fixture, "header-owner");
      });
      const freshToken = async (): Promise<string> => liveToken(fixture, owner.id);

      it.each([
        ["Bearer <token>", "Bearer "],
        ["bearer <token>", "bearer "],
        ["BEARER <token>", "BEARER "],
        ["bEaReR <token>", "bEaReR "],
        ["Bearer   <token> (extra spaces)", "Bearer   "],
      ])("accepts %s", async (_case, scheme) => {
        expectAccepted(await send({ authorization: `${scheme}${await freshToken()}` }));
      });

      it("accepts the token with trailing spaces", async () => {
        expectAccepted(await send({ authorization: `Bearer ${await freshToken()}   ` }));
      });

      it("answers 401 UNAUTHORIZED without an Authorization header", async () => {
        expectErrorAnswer(await send({}), 401, "UNAUTHORIZED");
      });

      it.each([
        ["empty", ""],
        ["Bearer alone", "Bearer"],
        ["Bearer and spaces", "Bearer    "],
        ["Basic credentials", "Basic dXNlcjpwYXNzd29yZA=="],
        ["another scheme with the token", "Token <token>"],
        ["the token without a scheme", "<token>"],
        ["no space after Bearer", "Bearer<token>"],
        ["a tab after Bearer", "Bearer\t<token>"],
      ])("answers 401 UNAUTHORIZED for an Authorization header that is %s", async (_case, value) => {
        expectErrorAnswer(await send({ authorization: value.replace("<token>", alice.token) }), 401, "UNAUTHORIZED");
      });

      it.each([
        ["the token followed by another word", "Bearer <token> extra"],
        ["the token in quotes", 'Bearer "<token>"'],
        ["a second scheme after the token", "Bearer <token>, Basic dXNlcjpwYXNz"],
        ["characters a token cannot hold", "Bearer abc$def!ghi"],
        ["garbage", "Bearer not-a-token"],
        ["a token of 5000 characters", `Bearer ${"a".repeat(5000)}`],
      ])("answers 401 INVALID_TOKEN for a Bearer credential that is %s", async (_case, value) => {
        expectErrorAnswer(await send({ authorization: value.replace("<token>", alice.token) }), 401, "INVALID_TOKEN");
      });

      const now = (): number => Math.floor(Date.now() / 1000);
      const claimsOf = (edit: TokenClaims): TokenClaims => ({ ...validClaims(owner.id), ...edit });
      const invalidTokens: ReadonlyArray<readonly [string, () => string]> = [
        ["expired", () => signedToken(fixture.secret, claimsOf({ iat: now() - 7200, exp: now() - 3600 }))],
        ["signed with another secret", () => signedToken(randomSecret(), claimsOf({}))],
        ["alg none, unsigned", () => unsignedToken(claimsOf({}))],
        ["HS512 with the right key", () => signedToken(fixture.secret, claimsOf({}), "HS512")],
        ["HS384 with the right key", () => signedToken(fixture.secret, claimsOf({}), "HS384")],
        ["from another issuer", () => signedToken(fixture.secret, claimsOf({ iss: "someone-else" }))],
        ["without an issuer", () => signedToken(fixture.secret, claimsOf({ iss: undefined }))],
        ["without exp", () => signedToken(fixture.secret, claimsOf({ exp: undefined }))],
        ["without iat", () => signedToken(fixture.secret, claimsOf({ iat: undefined }))],
        ["issued in the future", () => signedToken(fixture.secret, claimsOf({ iat: now() + 3600, exp: now() + 7200 }))],
        ["not valid before a future nbf", () => signedToken(fixture.secret, claimsOf({ nbf: now() + 3600 }))],
        ["without sub", () => signedToken(fixture.secret, claimsOf({ sub: undefined }))],
        ["with an empty sub", () => signedToken(fixture.secret, claimsOf({ sub: "" }))],
        ["with a numeric sub", () => signedToken(fixture.secret, claimsOf({ sub: 42 }))],
        [
          "with a payload edited after signing",
          () => tamperedToken(fixture.secret, claimsOf({}), { sub: randomUUID() }),
        ],
        [
          "with its signature cut off",
          () => `${signedToken(fixture.secret, claimsOf({})).split(".").slice(0, 2).join(".")}.`,
        ],
        [
          "HS256 claiming alg HS512 in the header",
          () => hs256WithHeader(fixture.secret, { alg: "HS512", typ: "JWT" }, claimsOf({})),
        ],
      ];

      it.each(invalidTokens)("answers 401 INVALID_TOKEN for a token %s", async (_case, makeToken) => {
        expectErrorAnswer(await send(bearer(makeToken())), 401, "INVALID_TOKEN");
      });

      it("accepts a hand-made HS256 token with the right key and claims, naming a live session", async () => {
        const claims = claimsOf({});
        await fixture.store.createSession({
          id: claims.jti as string,
          userId: owner.id,
          createdAt: new Date(),
          expiresAt: new Date((claims.exp as number) * 1000),
        });
        expectAccepted(await send(bearer(hs256WithHeader(fixture.secret, { alg: "HS256" }, claims))));
      });

      // Signing out a session that is already gone succeeds: there is nothing left to end.
      if (endpoint.name === "POST /sign-out") return;

      it.each([
        ["naming no session (a user who never existed)", () => signedToken(fixture.secret, validClaims(randomUUID()))],
        ["naming no session (signed for a user, never stored)", () => signedToken(fixture.secret, claimsOf({}))],
        ["of a deleted user (the session went with them)", () => deletedUserToken],
        [
          "whose session has ended",
          async () => {
            const token = await freshToken();
            await fixture.store.deleteSession(jtiOf(token), owner.id);
            return token;
          },
        ],
        [
          "whose session expired, though the token has not",
          () => liveToken(fixture, owner.id, { sessionExpiresAt: new Date(Date.now() - 1000) }),
        ],
        [
          "whose session belongs to another user",
          async () => {
            const other = await storedUser(fixture, "other-owner");
            const claims = claimsOf({});
            await fixture.store.createSession({
              id: claims.jti as string,
              userId: other.id,
              createdAt: new Date(),
              expiresAt: new Date((claims.exp as number) * 1000),
            });
            return signedToken(fixture.secret, claims);
          },
        ],
      ] as const)("answers 401 INVALID_TOKEN for a well-signed token %s", async (_case, makeToken) => {
        expectErrorAnswer(await send(bearer(await makeToken())), 401, "INVALID_TOKEN");
      });

      it("answers 401 USER_NOT_FOUND for the live session of a deactivated user", async () => {
        expectErrorAnswer(await send(bearer(deactivated.token)), 401, "USER_NOT_FOUND");
      });
    });
  }

  describe("unsupported methods", () => {
    const postEndpoints = ["/sign-up/email", "/sign-in/email", "/sign-out", "/sign-out/all"];
    it.each(
      postEndpoints.flatMap((path) => ["GET", "PUT", "PATCH", "DELETE"].map((method) => [method, path] as const)),
    )("answers %s %s with 405, Allow: POST and the error body", async (method, path) => {
      const answer = await fixture.send({ method, path: at(path), headers: bearer(alice.token) });
      expectErrorAnswer(answer, 405, "VALIDATION_ERROR");
      expect(answer.headers["allow"]).toBe("POST");
    });

    it.each(
      ["/session", "/sessions"].flatMap((path) => ["POST", "PUT", "PATCH", "DELETE"].map((method) => [method, path])),
    )("answers %s %s with 405, Allow: GET and the error body", async (method, path) => {
      const answer = await fixture.send({ method, path: at(path), headers: bearer(alice.token) });
      expectErrorAnswer(answer, 405, "VALIDATION_ERROR");
      expect(answer.headers["allow"]).toBe("GET");
    });

    it.each(["GET", "POST", "PUT", "PATCH"])(
      "answers %s /sessions/{id} with 405, Allow: DELETE and the error body, ending nothing",
      async (method) => {
        const answer = await fixture.send({
          method,
          path: at(`/sessions/${jtiOf(alice.token)}`),
          headers: bearer(alice.token),
        });
        expectErrorAnswer(answer, 405, "VALIDATION_ERROR");
        expect(answer.headers["allow"]).toBe("DELETE");
        expectSessionAnswer(await sessionOf(alice.token), alice.user);
      },
    );

    it("answers 405 without reading a JSON body sent along", async () => {
      const answer = await fixture.send({
        ...jsonPost(at("/sign-up/email"), { email: uniqueEmail("put"), password: GOOD_PASSWORD }),
        method: "PUT",
      });
      expectErrorAnswer(answer, 405, "VALIDATION_ERROR");
    });
  });

  describe("paths outside the endpoints", () => {
    const otherPrefixes = (): string[] => [...allPrefixes.filter((other) => other !== fixture.prefix), "/not-mounted"];

    it.each([
      "/unknown",
      "/sign-up",
      "/sign-in",
      "/session/extra",
      "/sign-up/email/extra",
      "/sign-out/all/extra",
      "/sessions/a/b",
      "",
    ])("answers 404 for the prefix followed by %j", async (suffix) => {
      const answer = await fixture.send({ method: "GET", path: at(suffix), headers: bearer(alice.token) });
      expect(answer.status, describeAnswer(answer)).toBe(404);
    });

    it("answers 404 for the endpoints under a prefix they are not mounted at", async () => {
      for (const other of otherPrefixes()) {
        const answer = await fixture.send({ method: "GET", path: `${other}/session`, headers: bearer(alice.token) });
        expect(answer.status, describeAnswer(answer)).toBe(404);
      }
      const glued = await fixture.send({
        method: "GET",
        path: `${fixture.prefix}x/session`,
        headers: bearer(alice.token),
      });
      expect(glued.status, describeAnswer(glued)).toBe(404);
    });
  });

  describe("after all of that", () => {
    it("answers many bad requests at once and then a normal one", async () => {
      const bad: HttpExchange[] = [
        { method: "POST", path: at("/sign-up/email"), headers: { "content-type": "application/json" }, body: "{" },
        { method: "POST", path: at("/sign-in/email"), headers: { "content-type": "text/plain" }, body: "x" },
        { method: "DELETE", path: at("/session") },
        { method: "GET", path: at("/session"), headers: { authorization: "Bearer x.y.z" } },
        { method: "GET", path: PROTECTED_PATH, headers: { authorization: "Basic x" } },
        { ...jsonPost(at("/sign-up/email"), { email: "x" }), chunked: true },
      ];
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => bad.map((exchange) => fixture.send(exchange))).flat(),
      );
      for (const answer of answers) expect(answer.status, describeAnswer(answer)).toBeLessThan(500);
      expectSessionAnswer(
        await fixture.send({ method: "GET", path: at("/session"), headers: bearer(alice.token) }),
        alice.user,
      );
    });

    it("survives a client that hangs up in the middle of a body", async () => {
      const { hostname, port } = new URL(fixture.url);
      const socket = connect(Number(port), hostname);
      await once(socket, "connect");
      socket.write(
        `POST ${at("/sign-up/email")} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email":`,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      expectSessionAnswer(
        await fixture.send({ method: "GET", path: at("/session"), headers: bearer(alice.token) }),
        alice.user,
      );
    });

    it("reported no failure of its own: nothing here is a store outage or an internal error", () => {
      expect(fixture.failures).toEqual([]);
    });
  });
}

function describeFailingStore(fixture: Fixture): void {
  const at = (path: string): string => `${fixture.prefix}${path}`;
  const expectUnavailable = (answer: HttpAnswer): void => {
    expectErrorAnswer(answer, 503, "STORE_UNAVAILABLE");
    expect(answer.text).not.toContain("ECONNREFUSED");
    expect(answer.text).not.toContain("secret-db-host");
  };
  const someToken = (): string => signedToken(fixture.secret, validClaims(randomUUID()));

  it("answers sign-up with 503 STORE_UNAVAILABLE", async () => {
    expectUnavailable(
      await fixture.send(jsonPost(at("/sign-up/email"), { email: uniqueEmail("down"), password: GOOD_PASSWORD })),
    );
  });

  it("answers sign-in with 503 STORE_UNAVAILABLE, never INVALID_CREDENTIALS", async () => {
    expectUnavailable(
      await fixture.send(jsonPost(at("/sign-in/email"), { email: uniqueEmail("down"), password: GOOD_PASSWORD })),
    );
  });

  it("answers a session with a valid token with 503 STORE_UNAVAILABLE", async () => {
    expectUnavailable(await fixture.send({ method: "GET", path: at("/session"), headers: bearer(someToken()) }));
  });

  it("answers the guarded route with 503 STORE_UNAVAILABLE, never a 401", async () => {
    expectUnavailable(await fixture.send({ method: "GET", path: PROTECTED_PATH, headers: bearer(someToken()) }));
  });

  it.each([
    ["POST", "/sign-out"],
    ["POST", "/sign-out/all"],
    ["GET", "/sessions"],
    ["DELETE", `/sessions/${randomUUID()}`],
  ])("answers %s %s with a valid token with 503 STORE_UNAVAILABLE", async (method, path) => {
    expectUnavailable(await fixture.send({ method, path: at(path), headers: bearer(someToken()) }));
  });

  it("still validates before touching the store", async () => {
    expectErrorAnswer(
      await fixture.send(jsonPost(at("/sign-in/email"), { email: "nope", password: "x" })),
      400,
      "VALIDATION_ERROR",
    );
    expectErrorAnswer(
      await fixture.send({ method: "GET", path: at("/session"), headers: bearer("garbage") }),
      401,
      "INVALID_TOKEN",
    );
  });

  it("reported every outage to onFailure", () => {
    const codes = new Set(fixture.failures.map((event) => event.code));
    expect([...codes]).toEqual(["STORE_UNAVAILABLE"]);
    expect(fixture.failures.length).toBeGreaterThanOrEqual(4);
  });
}

function describeRateLimits(fixture: Fixture): void {
  const at = (path: string): string => `${fixture.prefix}${path}`;
  const expectThrottled = (answer: HttpAnswer): void => {
    expectErrorAnswer(answer, 429, "RATE_LIMITED");
    const retryAfter = Number(answer.headers["retry-after"]);
    expect(retryAfter, describeAnswer(answer)).toBeGreaterThanOrEqual(1);
    expect(retryAfter, describeAnswer(answer)).toBeLessThanOrEqual(600);
  };

  it("answers 429 RATE_LIMITED with Retry-After once an account had its sign-in attempts, even for the right password", async () => {
    const email = uniqueEmail("throttled");
    await fixture.store.create({ email, passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA" });
    for (let attempt = 0; attempt < 2; attempt++) {
      expectErrorAnswer(
        await fixture.send(jsonPost(at("/sign-in/email"), { email, password: "wrong password" })),
        401,
        "INVALID_CREDENTIALS",
      );
    }
    expectThrottled(
      await fixture.send(jsonPost(at("/sign-in/email"), { email: email.toUpperCase(), password: "any password" })),
    );
  });

  it("counts sign-ups per client address, so the integration passes the client's address to the core", async () => {
    const first = await fixture.send(
      jsonPost(at("/sign-up/email"), { email: uniqueEmail("first"), password: GOOD_PASSWORD }),
    );
    expect(first.status, describeAnswer(first)).toBe(200);
    expectThrottled(
      await fixture.send(jsonPost(at("/sign-up/email"), { email: uniqueEmail("second"), password: GOOD_PASSWORD })),
    );
  });

  it("validates before counting: a malformed request is never throttled", async () => {
    expectErrorAnswer(
      await fixture.send(jsonPost(at("/sign-up/email"), { email: "not-an-email", password: GOOD_PASSWORD })),
      400,
      "VALIDATION_ERROR",
    );
  });
}

function describeBrokenStore(fixture: Fixture): void {
  const at = (path: string): string => `${fixture.prefix}${path}`;
  const expectInternalError = (answer: HttpAnswer): void => {
    expectErrorAnswer(answer, 500, "INTERNAL_ERROR");
    expect(answer.text).not.toMatch(/TypeError|undefined|Cannot read/);
  };
  const someToken = (): string => signedToken(fixture.secret, validClaims(randomUUID()));

  it("answers sign-in with 500 INTERNAL_ERROR and no internals", async () => {
    expectInternalError(
      await fixture.send(jsonPost(at("/sign-in/email"), { email: uniqueEmail("broken"), password: GOOD_PASSWORD })),
    );
  });

  it("answers a session with 500 INTERNAL_ERROR and no internals", async () => {
    expectInternalError(await fixture.send({ method: "GET", path: at("/session"), headers: bearer(someToken()) }));
  });

  it("answers the guarded route with 500 INTERNAL_ERROR, never a 401 or a crash", async () => {
    expectInternalError(await fixture.send({ method: "GET", path: PROTECTED_PATH, headers: bearer(someToken()) }));
  });

  it("keeps answering afterwards", async () => {
    expectSignedOut(await fixture.send({ method: "POST", path: at("/sign-out"), headers: bearer(someToken()) }));
    const codes: AuthFailureEvent["code"][] = fixture.failures.map((event) => event.code);
    expect(new Set(codes)).toEqual(new Set(["INTERNAL_ERROR"]));
  });
}

async function registered(auth: Auth101, email: string): Promise<Registered> {
  const password = `pw-${randomUUID()}`;
  const result = await auth.signUp(email, password);
  if (!("token" in result)) throw new Error(JSON.stringify(result));
  return { user: result.user, token: result.token, password };
}
