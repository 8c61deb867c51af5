import { describe, expect, it } from "vitest";
import { Auth101 } from "../auth101.js";
import { MemoryStore } from "../memory-store.js";
import type { AccountEmailMessage, Auth101Options, AuthFailureEvent } from "../options.js";
import type { UserStore } from "../user-store.js";
import type { AuthHttpRequest, AuthHttpResponse } from "./auth-http-handler.js";
import { AUTH_ENDPOINTS, authenticateRequest, createAuthHttpHandler } from "./auth-http-handler.js";
import type { RequestBody } from "./request-body.js";

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const CREDENTIALS = { email: "alice@example.com", password: "correct horse battery" };

function request(
  method: string,
  path: string,
  options: { body?: RequestBody; authorization?: string; headers?: Record<string, string> } = {},
): AuthHttpRequest {
  const headers: Record<string, string | undefined> = { ...options.headers, authorization: options.authorization };
  return {
    method,
    path,
    header: (name) => headers[name],
    readBody: async () => options.body ?? { kind: "invalid", reason: "malformed" },
  };
}
const json = (value: unknown): RequestBody => ({ kind: "json", value });

function setup(store: UserStore = new MemoryStore(), options: Partial<Auth101Options> = {}) {
  const auth = new Auth101({ secret: SECRET, store, onFailure: () => {}, ...options });
  return { auth, handle: createAuthHttpHandler(auth) };
}

/** An app with both email flows on, collecting what it would send. */
function withEmails(options: { required?: boolean } = {}) {
  const sent: AccountEmailMessage[] = [];
  const send = (message: AccountEmailMessage): void => void sent.push(message);
  const { auth, handle } = setup(new MemoryStore(), {
    passwordReset: { send },
    emailVerification: { send, required: options.required ?? false },
  });
  return { auth, handle, sent };
}

async function answer(response: Promise<AuthHttpResponse | undefined>): Promise<AuthHttpResponse> {
  const result = await response;
  if (result === undefined) throw new Error("expected a response");
  return result;
}

describe("createAuthHttpHandler", () => {
  it("serves the four endpoints with their success shapes and no-store", async () => {
    const { handle } = setup();
    const up = await answer(handle(request("POST", "/sign-up/email", { body: json(CREDENTIALS) })));
    expect(up.status).toBe(200);
    expect(up.headers).toEqual({ "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    expect(Object.keys(up.body).sort()).toEqual(["token", "user"]);

    const signedIn = await answer(handle(request("POST", "/sign-in/email", { body: json(CREDENTIALS) })));
    expect(signedIn.status).toBe(200);
    const { token } = signedIn.body as { token: string };

    const session = await answer(handle(request("GET", "/session", { authorization: `Bearer ${token}` })));
    expect(session).toMatchObject({ status: 200, body: { user: { email: "alice@example.com", is_active: true } } });
    expect(Object.keys(session.body)).toEqual(["user"]);

    const out = await answer(handle(request("POST", "/sign-out", { authorization: `bearer ${token}` })));
    expect(out).toMatchObject({ status: 200, body: { success: true } });
  });

  it("passes on paths that are not auth endpoints", async () => {
    const { handle } = setup();
    for (const path of [
      "/",
      "/me",
      "/session/",
      "/sign-in",
      "/SIGN-IN/EMAIL",
      "/sign-in/email/extra",
      "/sessions/",
      "/sessions/a/b",
      "/Sessions/x",
      "/sign-out/all/",
      "sessions/x",
    ]) {
      expect(await handle(request("GET", path))).toBeUndefined();
    }
  });

  it("serves the session endpoints: list, end one (the id percent-decoded), sign out everywhere", async () => {
    const { handle } = setup();
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    await answer(handle(request("POST", "/sign-up/email", { body: json(CREDENTIALS) })));
    const tokens: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const signedIn = await answer(handle(request("POST", "/sign-in/email", { body: json(CREDENTIALS) })));
      tokens.push((signedIn.body as { token: string }).token);
    }
    const [first, second, third] = tokens as [string, string, string];
    const listed = await answer(handle(request("GET", "/sessions", bearer(third))));
    expect(listed.status).toBe(200);
    expect(listed.headers).toEqual({ "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    const { sessions } = listed.body as { readonly sessions: readonly { id: string; current: boolean }[] };
    expect(sessions).toHaveLength(4);
    expect(sessions[0]).toEqual({
      id: expect.any(String),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      current: true,
    });
    expect(sessions.filter((session) => session.current)).toHaveLength(1);

    const firstId = (JSON.parse(Buffer.from(first.split(".")[1] as string, "base64url").toString()) as { jti: string })
      .jti;
    const encoded = `/sessions/${firstId.replace("-", "%2D")}`;
    const ended = await answer(handle(request("DELETE", encoded, bearer(third))));
    expect(ended).toMatchObject({ status: 200, body: { success: true } });
    expect((await answer(handle(request("GET", "/session", bearer(first))))).status).toBe(401);
    for (const unknown of ["/sessions/nope", "/sessions/%E0%A4%A", `/sessions/${firstId}`]) {
      expect(await answer(handle(request("DELETE", unknown, bearer(third))))).toMatchObject({
        status: 200,
        body: { success: true },
      });
    }

    const everywhere = await answer(handle(request("POST", "/sign-out/all", bearer(second))));
    expect(everywhere).toMatchObject({ status: 200, body: { success: true } });
    for (const token of [second, third]) {
      const refused = await answer(handle(request("GET", "/sessions", bearer(token))));
      expect(refused).toMatchObject({ status: 401, body: { error: { code: "INVALID_TOKEN" } } });
    }
  });

  it.each([
    ["GET", "/sign-out/all", "POST"],
    ["POST", "/sessions", "GET"],
    ["GET", "/sessions/x", "DELETE"],
    ["POST", "/sessions/x", "DELETE"],
  ])("answers %s %s with 405 Allow: %s", async (method, path, allow) => {
    const { handle } = setup();
    const response = await answer(handle(request(method, path)));
    expect(response.status).toBe(405);
    expect(response.headers["allow"]).toBe(allow);
    expect(JSON.stringify(response.body)).not.toContain("/x");
  });

  it("answers 405 with Allow for the wrong method, without reading the body", async () => {
    const { handle } = setup();
    let bodyRead = false;
    const response = await answer(
      handle({
        method: "GET",
        path: "/sign-in/email",
        header: () => undefined,
        readBody: async () => {
          bodyRead = true;
          return json(CREDENTIALS);
        },
      }),
    );
    expect(response).toEqual({
      status: 405,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", allow: "POST" },
      body: { error: { message: "Use POST for /sign-in/email", code: "VALIDATION_ERROR" } },
    });
    expect(bodyRead).toBe(false);
    expect((await answer(handle(request("DELETE", "/session")))).headers["allow"]).toBe("GET");
  });

  it.each([
    [{ kind: "invalid", reason: "malformed" } as const, 400, "Request body must be valid JSON"],
    [
      { kind: "invalid", reason: "unsupported-media-type" } as const,
      415,
      "Request body must be JSON (Content-Type: application/json)",
    ],
    [{ kind: "invalid", reason: "too-large" } as const, 413, "Request body is too large"],
    [json([CREDENTIALS]), 400, "Request body must be a JSON object with email and password"],
    [json("alice"), 400, "Request body must be a JSON object with email and password"],
    [json(null), 400, "Request body must be a JSON object with email and password"],
    [json({ password: "correct horse battery" }), 400, "email is required"],
    [json({ email: "a@example.com" }), 400, "password is required"],
    [json({ email: ["a@example.com"], password: "correct horse battery" }), 400, "email must be a string"],
    [json({ email: "a@example.com", password: 12345678 }), 400, "password must be a string"],
    [json({ email: "nope", password: "correct horse battery" }), 400, "email must look like name@example.com"],
  ])("answers a bad sign-up body %# with %i VALIDATION_ERROR", async (body, status, message) => {
    const { handle } = setup();
    const response = await answer(handle(request("POST", "/sign-up/email", { body })));
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: { message, code: "VALIDATION_ERROR" } });
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
  });

  it("answers 409 for an existing email and 401 with WWW-Authenticate for bad credentials", async () => {
    const { handle } = setup();
    await handle(request("POST", "/sign-up/email", { body: json(CREDENTIALS) }));
    const again = await answer(handle(request("POST", "/sign-up/email", { body: json(CREDENTIALS) })));
    expect(again).toMatchObject({ status: 409, body: { error: { code: "USER_EXISTS" } } });
    const wrong = await answer(
      handle(request("POST", "/sign-in/email", { body: json({ ...CREDENTIALS, password: "wrong password" }) })),
    );
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: "INVALID_CREDENTIALS" } } });
    expect(wrong.headers["www-authenticate"]).toBe('Bearer realm="auth101"');
  });

  it.each([
    [undefined, 401, "UNAUTHORIZED", 'Bearer realm="auth101"'],
    ["Basic dXNlcjpwdw==", 401, "UNAUTHORIZED", 'Bearer realm="auth101"'],
    ["Bearer ", 401, "UNAUTHORIZED", 'Bearer realm="auth101"'],
    ["Bearer not-a-token", 401, "INVALID_TOKEN", 'Bearer realm="auth101", error="invalid_token"'],
    ["Bearer two words", 401, "INVALID_TOKEN", 'Bearer realm="auth101", error="invalid_token"'],
  ])("answers the session endpoint for Authorization %j", async (authorization, status, code, challenge) => {
    const { handle } = setup();
    for (const [method, path] of [
      ["GET", "/session"],
      ["POST", "/sign-out"],
      ["POST", "/sign-out/all"],
      ["GET", "/sessions"],
      ["DELETE", "/sessions/0b6c2a8e-3f0e-4f5a-9a47-2d2b9d1c7e11"],
    ] as const) {
      const response = await answer(
        handle(request(method, path, authorization === undefined ? {} : { authorization })),
      );
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({ error: { code } });
      expect(response.headers["www-authenticate"]).toBe(challenge);
    }
  });

  it("answers 401 USER_NOT_FOUND for a deactivated user's token, INVALID_TOKEN once the user is deleted", async () => {
    const store = new MemoryStore();
    const { handle } = setup(store);
    const up = await answer(handle(request("POST", "/sign-up/email", { body: json(CREDENTIALS) })));
    const { user, token } = up.body as { user: { id: string }; token: string };
    await store.setActive(user.id, false);
    const deactivated = await answer(handle(request("GET", "/session", { authorization: `Bearer ${token}` })));
    expect(deactivated).toMatchObject({ status: 401, body: { error: { code: "USER_NOT_FOUND" } } });
    expect(deactivated.headers["www-authenticate"]).toBe('Bearer realm="auth101", error="invalid_token"');
    await store.deleteUser(user.id);
    const response = await answer(handle(request("GET", "/session", { authorization: `Bearer ${token}` })));
    expect(response).toMatchObject({ status: 401, body: { error: { code: "INVALID_TOKEN" } } });
    expect(response.headers["www-authenticate"]).toBe('Bearer realm="auth101", error="invalid_token"');
  });

  it("answers 503 when the store fails and 500 when reading the body blows up", async () => {
    // Every method of the contract, present and failing.
    const down = new Proxy(new MemoryStore(), { get: () => () => Promise.reject(new Error("down")) });
    const { handle } = setup(down);
    const response = await answer(handle(request("POST", "/sign-in/email", { body: json(CREDENTIALS) })));
    expect(response).toMatchObject({ status: 503, body: { error: { code: "STORE_UNAVAILABLE" } } });
    const broken = await answer(
      handle({
        method: "POST",
        path: "/sign-up/email",
        header: () => undefined,
        readBody: () => Promise.reject(new Error("socket hang up")),
      }),
    );
    expect(broken).toEqual({
      status: 500,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
      body: { error: { message: "Internal error", code: "INTERNAL_ERROR" } },
    });
  });

  it("reports a failure around the service (a body that cannot be read) to onFailure", async () => {
    const failures: AuthFailureEvent[] = [];
    const auth = new Auth101({ secret: SECRET, onFailure: (event) => failures.push(event) });
    const error = new Error("socket hang up");
    const response = await answer(
      createAuthHttpHandler(auth)({
        method: "POST",
        path: "/sign-in/email",
        header: () => undefined,
        readBody: () => Promise.reject(error),
      }),
    );
    expect(response.status).toBe(500);
    expect(failures).toEqual([{ code: "INTERNAL_ERROR", operation: "signIn", error }]);
  });

  it("answers 429 with Retry-After, counting attempts per client address it is given", async () => {
    const auth = new Auth101({ secret: SECRET, rateLimit: { signUpPerAddress: { attempts: 1, windowSeconds: 120 } } });
    const handle = createAuthHttpHandler(auth);
    const signUp = (email: string, clientAddress: string) =>
      answer(
        handle({
          ...request("POST", "/sign-up/email", { body: json({ ...CREDENTIALS, email }) }),
          clientAddress: () => clientAddress,
        }),
      );
    expect((await signUp("a@example.com", "192.0.2.1")).status).toBe(200);
    const throttled = await signUp("b@example.com", "192.0.2.1");
    expect(throttled).toEqual({
      status: 429,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "retry-after": "120" },
      body: { error: { message: "Too many attempts; try again in 120 seconds", code: "RATE_LIMITED" } },
    });
    expect((await signUp("b@example.com", "192.0.2.2")).status).toBe(200);
  });

  it("asks for the client address only on the endpoints that take a body, before reading it", async () => {
    const { handle } = setup();
    const asked: string[] = [];
    const from = (base: AuthHttpRequest): AuthHttpRequest => ({
      ...base,
      clientAddress: () => {
        asked.push(`address ${base.path}`);
        return "192.0.2.1";
      },
      readBody: () => {
        asked.push(`body ${base.path}`);
        return base.readBody();
      },
    });
    const up = await answer(handle(from(request("POST", "/sign-up/email", { body: json(CREDENTIALS) }))));
    const authorization = `Bearer ${(up.body as { token: string }).token}`;
    await answer(handle(from(request("GET", "/session", { authorization }))));
    await answer(handle(from(request("GET", "/sessions", { authorization }))));
    await answer(handle(from(request("POST", "/sign-in/email", { body: json(CREDENTIALS) }))));
    await answer(handle(from(request("POST", "/sign-out", { authorization }))));
    expect(asked).toEqual([
      "address /sign-up/email",
      "body /sign-up/email",
      "address /sign-in/email",
      "body /sign-in/email",
    ]);
  });

  it("accepts lower-case methods from frameworks that pass them so", async () => {
    const { handle } = setup();
    expect((await answer(handle(request("post", "/sign-up/email", { body: json(CREDENTIALS) })))).status).toBe(200);
  });

  it("rejects, never throws, when the integration's request fails before a route runs", async () => {
    const { handle } = setup();
    const broken = new Error("header reader broke");
    const failing: AuthHttpRequest = {
      ...request("GET", "/session"),
      header: () => {
        throw broken;
      },
    };
    let pending: Promise<AuthHttpResponse | undefined> | undefined;
    expect(() => {
      pending = handle(failing);
    }).not.toThrow();
    await expect(pending).rejects.toBe(broken);
  });
});

describe("authenticateRequest", () => {
  it("gives the User entity for a valid token and the 401 response otherwise", async () => {
    const { auth } = setup();
    const up = await auth.signUp(CREDENTIALS.email, CREDENTIALS.password);
    if (!("token" in up)) throw new Error(JSON.stringify(up));
    const guarded = (authorization: string | undefined) => ({
      method: "GET",
      header: (name: string) => (name === "authorization" ? authorization : undefined),
    });
    expect(await authenticateRequest(auth, guarded(`Bearer ${up.token}`))).toEqual({
      user: { id: up.user.id, email: "alice@example.com", isActive: true, emailVerified: false },
    });
    expect(await authenticateRequest(auth, guarded(undefined))).toMatchObject({
      response: {
        status: 401,
        body: { error: { code: "UNAUTHORIZED" } },
        headers: { "www-authenticate": 'Bearer realm="auth101"' },
      },
    });
    expect(await authenticateRequest(auth, guarded("Bearer x.y.z"))).toMatchObject({
      response: { status: 401, body: { error: { code: "INVALID_TOKEN" } } },
    });
  });
});

describe("AUTH_ENDPOINTS", () => {
  it("lists exactly the routes the handler serves", async () => {
    const { handle } = setup();
    expect(AUTH_ENDPOINTS).toEqual([
      { method: "POST", path: "/sign-up/email" },
      { method: "POST", path: "/sign-in/email" },
      { method: "POST", path: "/change-password" },
      { method: "POST", path: "/request-password-reset" },
      { method: "POST", path: "/reset-password" },
      { method: "POST", path: "/send-verification-email" },
      { method: "POST", path: "/verify-email" },
      { method: "POST", path: "/sign-out" },
      { method: "POST", path: "/sign-out/all" },
      { method: "GET", path: "/session" },
      { method: "GET", path: "/sessions" },
      { method: "DELETE", path: "/sessions/:id" },
    ]);
    // A `:name` parameter matches one segment, whatever it holds.
    const everything = withEmails();
    for (const { method, path } of AUTH_ENDPOINTS) {
      expect(await everything.handle(request(method, path))).toBeDefined();
      expect(await everything.handle(request(method, path.replace(":id", "anything")))).toBeDefined();
    }
    void handle;
  });
});

describe("the account-email endpoints", () => {
  it("are not endpoints at all while their flow is off", async () => {
    const { handle } = setup();
    for (const path of ["/request-password-reset", "/reset-password", "/send-verification-email", "/verify-email"]) {
      expect(
        await handle(request("POST", path, { body: json({ email: "a@example.com", token: "t" }) })),
      ).toBeUndefined();
    }
  });

  it("reset a password over the handler: request, email, reset, no sign-in", async () => {
    const { auth, handle, sent } = withEmails();
    await handle(request("POST", "/sign-up/email", { body: json(CREDENTIALS) }));
    const requested = await answer(
      handle(request("POST", "/request-password-reset", { body: json({ email: CREDENTIALS.email }) })),
    );
    expect(requested).toEqual({
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
      body: { success: true },
    });
    await auth.whenIdle();
    const token = sent.at(-1)?.token;
    const reset = await answer(
      handle(request("POST", "/reset-password", { body: json({ token, new_password: "a new passphrase" }) })),
    );
    expect(reset).toMatchObject({ status: 200, body: { success: true } });
    expect(Object.keys(reset.body)).toEqual(["success"]);
    const again = await answer(
      handle(request("POST", "/reset-password", { body: json({ token, new_password: "a new passphrase" }) })),
    );
    expect(again).toMatchObject({ status: 400, body: { error: { code: "INVALID_RESET_TOKEN" } } });
    expect(again.headers["www-authenticate"]).toBeUndefined();
  });

  it("checks every field's presence and type, naming it", async () => {
    const { handle } = withEmails();
    const cases: [string, unknown, string][] = [
      ["/request-password-reset", {}, "email is required"],
      ["/request-password-reset", { email: 1 }, "email must be a string"],
      ["/reset-password", { token: "t" }, "new_password is required"],
      ["/reset-password", { token: ["t"], new_password: "x" }, "token must be a string"],
      ["/reset-password", [], "Request body must be a JSON object with token and new_password"],
      ["/send-verification-email", { email: null }, "email is required"],
      ["/verify-email", "token", "Request body must be a JSON object with token"],
      ["/verify-email", { token: 42 }, "token must be a string"],
    ];
    for (const [path, body, message] of cases) {
      expect(await answer(handle(request("POST", path, { body: json(body) })))).toMatchObject({
        status: 400,
        body: { error: { code: "VALIDATION_ERROR", message } },
      });
    }
  });

  it("answers an unverified sign-in 403 EMAIL_NOT_VERIFIED, without WWW-Authenticate, when verification is required", async () => {
    const { handle } = withEmails({ required: true });
    const up = await answer(handle(request("POST", "/sign-up/email", { body: json(CREDENTIALS) })));
    expect(up).toMatchObject({ status: 200, body: { user: { email: CREDENTIALS.email, is_active: true } } });
    expect(Object.keys(up.body)).toEqual(["user"]);
    const signIn = await answer(handle(request("POST", "/sign-in/email", { body: json(CREDENTIALS) })));
    expect(signIn).toMatchObject({ status: 403, body: { error: { code: "EMAIL_NOT_VERIFIED" } } });
    expect(signIn.headers["www-authenticate"]).toBeUndefined();
  });

  it("verifies an email over the handler", async () => {
    const { auth, handle, sent } = withEmails();
    await handle(request("POST", "/sign-up/email", { body: json(CREDENTIALS) }));
    await auth.whenIdle();
    const verify = await answer(handle(request("POST", "/verify-email", { body: json({ token: sent[0]?.token }) })));
    expect(verify).toMatchObject({ status: 200, body: { success: true } });
    const resend = await answer(
      handle(request("POST", "/send-verification-email", { body: json({ email: CREDENTIALS.email }) })),
    );
    expect(resend).toMatchObject({ status: 200, body: { success: true } });
  });
});
