import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AccountEmailMessage, Auth101, Auth101Options } from "@auth101/core";
import type { PublicUserJson } from "./support/expectations.js";
import { describeAnswer, expectErrorAnswer, expectSessionCreated, expectSignedOut } from "./support/expectations.js";
import { GOOD_PASSWORD, uniqueEmail } from "./support/fixtures.js";
import type { HttpAnswer, HttpExchange } from "./support/http-client.js";
import { bearer, jsonPost } from "./support/http-client.js";

/** What the account-email suites need from a running server. */
export interface AccountEmailFixture {
  readonly prefix: string;
  readonly auth: Auth101;
  send(exchange: HttpExchange): Promise<HttpAnswer>;
}

/** The emails the suite's senders were handed, instead of an SMTP server. */
export class Outbox {
  readonly #sent: { readonly kind: "reset" | "verification"; readonly message: AccountEmailMessage }[] = [];

  /** `passwordReset` and `emailVerification` options whose senders write here. */
  options(required = false): Pick<Auth101Options, "passwordReset" | "emailVerification"> {
    return {
      passwordReset: { send: (message) => void this.#sent.push({ kind: "reset", message }) },
      emailVerification: {
        send: (message) => void this.#sent.push({ kind: "verification", message }),
        required,
      },
    };
  }

  /** Every email of `kind` sent to `email` so far, oldest first. */
  to(email: string, kind: "reset" | "verification"): AccountEmailMessage[] {
    return this.#sent.filter((sent) => sent.kind === kind && sent.message.email === email).map((sent) => sent.message);
  }

  /**
   * Waits for the `count`th email of `kind` to `email` and answers it. The senders run after
   * the answer, in the server's own `Auth101` (NestJS builds its own from the options), so
   * this watches the outbox rather than an instance.
   */
  async nth(email: string, kind: "reset" | "verification", count: number): Promise<AccountEmailMessage> {
    const deadline = Date.now() + EMAIL_WAIT_MS;
    for (;;) {
      const sent = this.to(email, kind)[count - 1];
      if (sent !== undefined) return sent;
      if (Date.now() > deadline)
        throw new Error(`no ${kind} email number ${count} to ${email} within ${EMAIL_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

const EMAIL_WAIT_MS = 5_000;

const NEW_PASSWORD = "a different passphrase 42";

/** 200 `{ "success": true }` and nothing else, as every request-an-email answer is. */
function expectSuccess(answer: HttpAnswer): void {
  expectSignedOut(answer);
}

/** Header names and values that can tell one answer from another (not Date, not framing). */
function telling(answer: HttpAnswer): Record<string, string | undefined> {
  const { date: _date, "keep-alive": _keepAlive, connection: _connection, ...rest } = answer.headers;
  return rest;
}

/**
 * POST /request-password-reset, /reset-password, /send-verification-email and /verify-email
 * over HTTP, on a server whose `Auth101` has both flows on with `outbox`'s senders.
 */
export function describeAccountEmailEndpoints(fixture: AccountEmailFixture, outbox: Outbox): void {
  const at = (path: string): string => `${fixture.prefix}${path}`;
  const signUp = async (label: string): Promise<{ email: string; user: PublicUserJson; token: string }> => {
    const email = uniqueEmail(label);
    const { user, token } = expectSessionCreated(
      await fixture.send(jsonPost(at("/sign-up/email"), { email, password: GOOD_PASSWORD })),
      email,
    );
    return { email, user, token };
  };

  describe("POST /request-password-reset and POST /reset-password", () => {
    it("answer a registered and an unknown email with the same 200 { success: true }; only the registered one gets an email", async () => {
      const { email } = await signUp("reset-known");
      const unknown = uniqueEmail("reset-unknown");
      const nobody = await fixture.send(jsonPost(at("/request-password-reset"), { email: unknown }));
      const known = await fixture.send(jsonPost(at("/request-password-reset"), { email: email.toUpperCase() }));
      expectSuccess(known);
      expectSuccess(nobody);
      expect(nobody.text).toBe(known.text);
      expect(telling(nobody)).toEqual(telling(known));
      await outbox.nth(email, "reset", 1);
      // The unknown email was asked for first: had anything been sent for it, it would be there.
      expect(outbox.to(unknown, "reset")).toEqual([]);
    });

    it("reset the password with the emailed token, once, without signing in", async () => {
      const { email } = await signUp("reset-flow");
      expectSuccess(await fixture.send(jsonPost(at("/request-password-reset"), { email })));
      const { token } = await outbox.nth(email, "reset", 1);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const weak = await fixture.send(jsonPost(at("/reset-password"), { token, new_password: "short" }));
      expectErrorAnswer(weak, 400, "VALIDATION_ERROR");
      const reset = await fixture.send(jsonPost(at("/reset-password"), { token, new_password: NEW_PASSWORD }));
      expectSuccess(reset);
      expectErrorAnswer(
        await fixture.send(jsonPost(at("/reset-password"), { token, new_password: NEW_PASSWORD })),
        400,
        "INVALID_RESET_TOKEN",
      );
      expectErrorAnswer(
        await fixture.send(jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD })),
        401,
        "INVALID_CREDENTIALS",
      );
      expectSessionCreated(
        await fixture.send(jsonPost(at("/sign-in/email"), { email, password: NEW_PASSWORD })),
        email,
      );
    });

    it.each([
      ["an unknown token", `${"A".repeat(42)}Q`],
      ["a malformed token", "not a token"],
      ["an empty token", ""],
    ])("answer 400 INVALID_RESET_TOKEN for %s", async (_case, token) => {
      const answer = await fixture.send(jsonPost(at("/reset-password"), { token, new_password: NEW_PASSWORD }));
      expectErrorAnswer(answer, 400, "INVALID_RESET_TOKEN");
      expect(answer.headers["www-authenticate"], describeAnswer(answer)).toBeUndefined();
    });
  });

  describe("POST /send-verification-email and POST /verify-email", () => {
    it("verify the email with the token sent on sign-up, once", async () => {
      const { email } = await signUp("verify-flow");
      const { token } = await outbox.nth(email, "verification", 1);
      expectSuccess(await fixture.send(jsonPost(at("/verify-email"), { token })));
      expectErrorAnswer(
        await fixture.send(jsonPost(at("/verify-email"), { token })),
        400,
        "INVALID_VERIFICATION_TOKEN",
      );
    });

    it("answer a registered and an unknown email with the same 200; a new link retires the older one", async () => {
      const { email } = await signUp("verify-again");
      const first = await outbox.nth(email, "verification", 1);
      const known = await fixture.send(jsonPost(at("/send-verification-email"), { email }));
      const nobody = await fixture.send(jsonPost(at("/send-verification-email"), { email: uniqueEmail("nobody") }));
      expectSuccess(known);
      expect(nobody.text).toBe(known.text);
      expect(telling(nobody)).toEqual(telling(known));
      const second = await outbox.nth(email, "verification", 2);
      expect(second.token).not.toBe(first.token);
      expectErrorAnswer(
        await fixture.send(jsonPost(at("/verify-email"), { token: first.token })),
        400,
        "INVALID_VERIFICATION_TOKEN",
      );
      expectSuccess(await fixture.send(jsonPost(at("/verify-email"), { token: second.token })));
    });
  });

  describe("request bodies of the account-email endpoints", () => {
    const cases: readonly [string, string, unknown][] = [
      ["/request-password-reset", "email missing", {}],
      ["/request-password-reset", "email a number", { email: 42 }],
      ["/request-password-reset", "email not an email", { email: "not-an-email" }],
      ["/request-password-reset", "the body an array", [{ email: "a@example.com" }]],
      ["/reset-password", "token missing", { new_password: NEW_PASSWORD }],
      ["/reset-password", "new_password missing", { token: "t" }],
      ["/reset-password", "token an object", { token: { value: "t" }, new_password: NEW_PASSWORD }],
      ["/reset-password", "new_password a number", { token: "t", new_password: 12345678 }],
      ["/send-verification-email", "email null", { email: null }],
      ["/verify-email", "token missing", {}],
      ["/verify-email", "token a boolean", { token: true }],
      ["/verify-email", "the body a string", "token"],
    ];
    it.each(cases)("POST %s with %s answers 400 VALIDATION_ERROR", async (path, _case, body) => {
      expectErrorAnswer(await fixture.send(jsonPost(at(path), body)), 400, "VALIDATION_ERROR");
    });

    it.each(["/request-password-reset", "/reset-password", "/send-verification-email", "/verify-email"])(
      "POST %s with malformed JSON answers 400, and GET answers 405",
      async (path) => {
        const malformed = await fixture.send({
          method: "POST",
          path: at(path),
          headers: { "content-type": "application/json" },
          body: '{"email": ',
        });
        expectErrorAnswer(malformed, 400, "VALIDATION_ERROR");
        expectErrorAnswer(await fixture.send({ method: "GET", path: at(path) }), 405, "VALIDATION_ERROR");
      },
    );
  });
}

/** With `emailVerification.required`: no token before the email is verified. */
export function describeRequiredVerification(fixture: AccountEmailFixture, outbox: Outbox): void {
  const at = (path: string): string => `${fixture.prefix}${path}`;

  it("signs up with 200 { user } and no token, refuses the right password with 403 until verified, and the wrong one with 401", async () => {
    const email = uniqueEmail("required");
    const up = await fixture.send(jsonPost(at("/sign-up/email"), { email, password: GOOD_PASSWORD }));
    const described = describeAnswer(up);
    expect(up.status, described).toBe(200);
    expect(up.headers["cache-control"], described).toBe("no-store");
    expect(up.json, described).toEqual({ user: { id: expect.any(String), email, is_active: true } });

    const wrong = await fixture.send(jsonPost(at("/sign-in/email"), { email, password: `${GOOD_PASSWORD}!` }));
    expectErrorAnswer(wrong, 401, "INVALID_CREDENTIALS");
    const unverified = await fixture.send(jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD }));
    expectErrorAnswer(unverified, 403, "EMAIL_NOT_VERIFIED");
    expect(unverified.headers["www-authenticate"], describeAnswer(unverified)).toBeUndefined();

    const { token } = await outbox.nth(email, "verification", 1);
    expectSignedOut(await fixture.send(jsonPost(at("/verify-email"), { token })));
    expectSessionCreated(await fixture.send(jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD })), email);
  });
}

/** On a server whose `Auth101` has no senders: the account-email paths are not endpoints (404). */
export function describeAccountEmailsOff(fixture: AccountEmailFixture): void {
  it.each(["/request-password-reset", "/reset-password", "/send-verification-email", "/verify-email"])(
    "POST %s is not found while its flow is off",
    async (path) => {
      const answer = await fixture.send(
        jsonPost(`${fixture.prefix}${path}`, { email: `${randomUUID()}@example.com`, token: "t" }),
      );
      expect(answer.status, describeAnswer(answer)).toBe(404);
    },
  );
}

/** POST /change-password over HTTP: a bearer request with the current and the new password. */
export function describeChangePassword(fixture: AccountEmailFixture): void {
  const at = (path: string): string => `${fixture.prefix}${path}`;
  const NEW = "a changed passphrase 77";
  const signUp = async (label: string): Promise<{ email: string; token: string }> => {
    const email = uniqueEmail(label);
    const { token } = expectSessionCreated(
      await fixture.send(jsonPost(at("/sign-up/email"), { email, password: GOOD_PASSWORD })),
      email,
    );
    return { email, token };
  };
  let bodyUser: Promise<{ email: string; token: string }> | undefined;
  const change = (token: string | undefined, body: unknown): Promise<HttpAnswer> =>
    fixture.send(jsonPost(at("/change-password"), body, token === undefined ? {} : bearer(token)));

  describe("POST /change-password", () => {
    it("answers 200 { user, token } with a new session; the old token and every other session end", async () => {
      const { email, token } = await signUp("change");
      const other = expectSessionCreated(
        await fixture.send(jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD })),
        email,
      ).token;
      const answer = await change(token, { current_password: GOOD_PASSWORD, new_password: NEW });
      const fresh = expectSessionCreated(answer, email);
      for (const old of [token, other]) {
        expectErrorAnswer(
          await fixture.send({ method: "GET", path: at("/session"), headers: bearer(old) }),
          401,
          "INVALID_TOKEN",
        );
      }
      expect((await fixture.send({ method: "GET", path: at("/session"), headers: bearer(fresh.token) })).status).toBe(
        200,
      );
      expectErrorAnswer(
        await fixture.send(jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD })),
        401,
        "INVALID_CREDENTIALS",
      );
      expectSessionCreated(await fixture.send(jsonPost(at("/sign-in/email"), { email, password: NEW })), email);
    });

    it("keeps the other sessions with revoke_other_sessions: false", async () => {
      const { email, token } = await signUp("change-keep");
      const other = expectSessionCreated(
        await fixture.send(jsonPost(at("/sign-in/email"), { email, password: GOOD_PASSWORD })),
        email,
      ).token;
      expectSessionCreated(
        await change(token, { current_password: GOOD_PASSWORD, new_password: NEW, revoke_other_sessions: false }),
        email,
      );
      expect((await fixture.send({ method: "GET", path: at("/session"), headers: bearer(other) })).status).toBe(200);
    });

    it("answers a wrong current password 401 INVALID_CREDENTIALS and no token 401 UNAUTHORIZED", async () => {
      const { token } = await signUp("change-wrong");
      const wrong = await change(token, { current_password: `${GOOD_PASSWORD}!`, new_password: NEW });
      expectErrorAnswer(wrong, 401, "INVALID_CREDENTIALS");
      expect(wrong.headers["www-authenticate"], describeAnswer(wrong)).toBe('Bearer realm="auth101"');
      expectErrorAnswer(
        await change(undefined, { current_password: GOOD_PASSWORD, new_password: NEW }),
        401,
        "UNAUTHORIZED",
      );
      expect((await fixture.send({ method: "GET", path: at("/session"), headers: bearer(token) })).status).toBe(200);
    });

    it.each([
      ["current_password missing", { new_password: "a changed passphrase 77" }],
      ["new_password missing", { current_password: GOOD_PASSWORD }],
      ["current_password a number", { current_password: 1, new_password: "a changed passphrase 77" }],
      ["new_password too short", { current_password: GOOD_PASSWORD, new_password: "short" }],
      ["new_password common", { current_password: GOOD_PASSWORD, new_password: "password123" }],
      [
        "revoke_other_sessions a string",
        { current_password: GOOD_PASSWORD, new_password: "a changed passphrase 77", revoke_other_sessions: "yes" },
      ],
      ["the body an array", [GOOD_PASSWORD]],
    ])("answers 400 VALIDATION_ERROR with %s", async (_case, body) => {
      // One user for all the cases: a refused body changes nothing, the session stays.
      bodyUser ??= signUp("change-body");
      expectErrorAnswer(await change((await bodyUser).token, body), 400, "VALIDATION_ERROR");
    });

    it("answers GET with 405", async () => {
      expectErrorAnswer(await fixture.send({ method: "GET", path: at("/change-password") }), 405, "VALIDATION_ERROR");
    });
  });
}
