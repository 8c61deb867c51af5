import { afterEach, describe, expect, it, vi } from "vitest";
import { Auth101 } from "./auth101.js";
import { MemoryStore } from "./memory-store.js";
import * as oneTimeTokens from "./one-time-tokens.js";
import type { AccountEmailMessage, Auth101Options, AuthFailureEvent } from "./options.js";
import type { UserStore } from "./user-store.js";

vi.mock("./one-time-tokens.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./one-time-tokens.js")>();
  return {
    ...actual,
    newOneTimeToken: vi.fn(actual.newOneTimeToken),
    hashOneTimeToken: vi.fn(actual.hashOneTimeToken),
  };
});

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "a brand new passphrase";

interface SentEmail extends AccountEmailMessage {
  readonly kind: "reset" | "verification";
}

/** Counts every store call by method name. */
function countingStore(base: MemoryStore): { readonly store: UserStore; readonly calls: string[] } {
  const calls: string[] = [];
  const store = new Proxy(base, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return value.apply(target, args);
      };
    },
  });
  return { store, calls };
}

/** Options to override; `undefined` turns a flow off. */
type SetupOptions = { readonly [Name in keyof Auth101Options]?: Auth101Options[Name] | undefined };

function setup(options: SetupOptions = {}, base = new MemoryStore()) {
  const { store, calls } = countingStore(base);
  const sent: SentEmail[] = [];
  const failures: AuthFailureEvent[] = [];
  const auth = new Auth101({
    secret: SECRET,
    store,
    onFailure: (event) => failures.push(event),
    passwordReset: { send: (message) => void sent.push({ kind: "reset", ...message }) },
    emailVerification: { send: (message) => void sent.push({ kind: "verification", ...message }) },
    ...(options as Partial<Auth101Options>),
  });
  /** The emails sent so far, once every answered request's email has gone out. */
  const mail = async (): Promise<SentEmail[]> => {
    await auth.whenIdle();
    return sent;
  };
  return { auth, base, calls, sent, mail, failures };
}

async function signedUp(auth: Auth101, email: string): Promise<{ id: string; token: string | undefined }> {
  const result = await auth.signUp(email, PASSWORD);
  if ("error" in result) throw new Error(JSON.stringify(result));
  return { id: result.user.id, token: "token" in result ? result.token : undefined };
}

const codeOf = (result: object): string | undefined =>
  "error" in result ? (result as { error: { code: string } }).error.code : undefined;

afterEach(() => {
  vi.useRealTimers();
});

describe("password reset", () => {
  it("emails a 256-bit token to a registered user after answering, and the token sets a new password once", async () => {
    const { auth, base, mail } = setup({ emailVerification: undefined });
    const { id } = await signedUp(auth, "ana@example.com");

    const answer = auth.requestPasswordReset(" Ana@Example.com ");
    expect(await answer).toEqual({ success: true });
    const [email, ...more] = await mail();
    expect(more).toEqual([]);
    expect(email).toEqual({
      kind: "reset",
      email: "ana@example.com",
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(Date),
    });
    expect(Math.abs((email?.expiresAt.getTime() ?? 0) - Date.now() - 60 * 60_000)).toBeLessThan(5_000);

    expect(await auth.resetPassword(email?.token ?? "", NEW_PASSWORD)).toEqual({ success: true });
    expect(codeOf(await auth.signIn("ana@example.com", PASSWORD))).toBe("INVALID_CREDENTIALS");
    expect(await auth.signIn("ana@example.com", NEW_PASSWORD)).toHaveProperty("token");
    // Reading the email proved the address.
    expect((await base.findById(id))?.emailVerified).toBe(true);
    // Single use.
    expect(await auth.resetPassword(email?.token ?? "", "yet another passphrase")).toEqual({
      error: {
        code: "INVALID_RESET_TOKEN",
        message: "This password-reset link is invalid, expired or already used; ask for a new one",
      },
    });
  });

  it("answers an unknown or deactivated email exactly as a registered one, and sends nothing", async () => {
    const { auth, base, mail } = setup({ emailVerification: undefined });
    const { id } = await signedUp(auth, "gone@example.com");
    await base.setActive(id, false);
    expect(await auth.requestPasswordReset("nobody@example.com")).toEqual({ success: true });
    expect(await auth.requestPasswordReset("gone@example.com")).toEqual({ success: true });
    expect(await mail()).toEqual([]);
  });

  it("does the same store and token work before answering for an unknown email as for a registered one", async () => {
    const { auth, calls } = setup({ emailVerification: undefined });
    await signedUp(auth, "known@example.com");
    await auth.whenIdle();
    const workFor = async (email: string) => {
      calls.length = 0;
      vi.mocked(oneTimeTokens.newOneTimeToken).mockClear();
      vi.mocked(oneTimeTokens.hashOneTimeToken).mockClear();
      await auth.requestPasswordReset(email);
      const work = {
        store: [...calls],
        tokens: vi.mocked(oneTimeTokens.newOneTimeToken).mock.calls.length,
        hashes: vi.mocked(oneTimeTokens.hashOneTimeToken).mock.calls.length,
      };
      await auth.whenIdle();
      return work;
    };
    const known = await workFor("known@example.com");
    const unknown = await workFor("unknown@example.com");
    expect(known).toEqual({ store: ["findByEmail"], tokens: 1, hashes: 1 });
    expect(unknown).toEqual(known);
  });

  it("does not wait for the sender before answering", async () => {
    let release: () => void = () => {};
    const sending = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calledWith: AccountEmailMessage | undefined;
    const { auth } = setup({
      emailVerification: undefined,
      passwordReset: {
        send: async (message) => {
          calledWith = message;
          await sending;
        },
      },
    });
    await signedUp(auth, "slow@example.com");
    expect(await auth.requestPasswordReset("slow@example.com")).toEqual({ success: true });
    expect(calledWith).toBeUndefined(); // not even started when the answer came
    await vi.waitFor(() => expect(calledWith?.email).toBe("slow@example.com"));
    release();
    await auth.whenIdle();
  });

  it("hands a sender's failure to onFailure as SEND_FAILED, and the answer does not change", async () => {
    const { auth, failures } = setup({
      emailVerification: undefined,
      passwordReset: {
        send: () => {
          throw new Error("SMTP 421 smtp.example.com password=hunter2");
        },
      },
    });
    await signedUp(auth, "fail@example.com");
    expect(await auth.requestPasswordReset("fail@example.com")).toEqual({ success: true });
    await auth.whenIdle();
    expect(failures).toEqual([
      {
        code: "SEND_FAILED",
        operation: "requestPasswordReset",
        error: new Error("SMTP 421 smtp.example.com password=hunter2"),
      },
    ]);
  });

  it("refuses a bad, malformed, expired or retired token with INVALID_RESET_TOKEN, hashing and looking up each", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T12:00:00Z") });
    const { auth, calls, mail } = setup({ emailVerification: undefined });
    await signedUp(auth, "bob@example.com");
    await auth.requestPasswordReset("bob@example.com");
    const [older] = await mail();
    await auth.requestPasswordReset("bob@example.com");
    const [, newer] = await mail();

    for (const token of ["", "x", "!".repeat(43), "a".repeat(10_000), older?.token ?? ""]) {
      calls.length = 0;
      expect(codeOf(await auth.resetPassword(token, NEW_PASSWORD))).toBe("INVALID_RESET_TOKEN");
      expect(calls).toEqual(["consumeOneTimeToken"]);
    }
    vi.setSystemTime(new Date("2026-06-01T13:00:00Z")); // 60 minutes later
    expect(codeOf(await auth.resetPassword(newer?.token ?? "", NEW_PASSWORD))).toBe("INVALID_RESET_TOKEN");
  });

  it("honours passwordReset.expiresIn", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T12:00:00Z") });
    const sent: AccountEmailMessage[] = [];
    const auth = new Auth101({ secret: SECRET, passwordReset: { send: (m) => void sent.push(m), expiresIn: 10 } });
    await signedUp(auth, "exp@example.com");
    await auth.requestPasswordReset("exp@example.com");
    await auth.whenIdle();
    expect(sent[0]?.expiresAt).toEqual(new Date("2026-06-01T12:10:00Z"));
    vi.setSystemTime(new Date("2026-06-01T12:09:59Z"));
    expect(await auth.resetPassword(sent[0]?.token ?? "", NEW_PASSWORD)).toEqual({ success: true });
  });

  it("refuses a new password that fails the sign-up policy with VALIDATION_ERROR, and the token stays usable", async () => {
    const { auth, mail } = setup({ emailVerification: undefined });
    await signedUp(auth, "cat@example.com");
    await auth.requestPasswordReset("cat@example.com");
    const [email] = await mail();
    const token = email?.token ?? "";
    expect(await auth.resetPassword(token, "short")).toEqual({
      error: { code: "VALIDATION_ERROR", message: "new_password must be at least 8 characters" },
    });
    expect(await auth.resetPassword(token, "password123")).toEqual({
      error: {
        code: "VALIDATION_ERROR",
        message: "new_password is too common: it appears on lists of frequently used passwords",
      },
    });
    expect(await auth.resetPassword(token, NEW_PASSWORD)).toEqual({ success: true });
  });

  it("lets exactly one of several concurrent resets with one token win", async () => {
    const { auth, mail } = setup({ emailVerification: undefined });
    await signedUp(auth, "race@example.com");
    await auth.requestPasswordReset("race@example.com");
    const [email] = await mail();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => auth.resetPassword(email?.token ?? "", `${NEW_PASSWORD} ${i}`)),
    );
    expect(results.filter((result) => "success" in result)).toHaveLength(1);
    expect(results.filter((result) => codeOf(result) === "INVALID_RESET_TOKEN")).toHaveLength(7);
  });

  it("throttles requests per email (registered or not, alike) and per address, with Retry-After", async () => {
    const { auth } = setup({
      emailVerification: undefined,
      rateLimit: {
        passwordResetPerEmail: { attempts: 2, windowSeconds: 600 },
        passwordResetPerAddress: { attempts: 5, windowSeconds: 60 },
      },
    });
    await signedUp(auth, "known@example.com");
    const answers = async (email: string, clientAddress: string) => {
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 3; i++) codes.push(codeOf(await auth.requestPasswordReset(email, { clientAddress })));
      return codes;
    };
    expect(await answers("known@example.com", "203.0.113.1")).toEqual([undefined, undefined, "RATE_LIMITED"]);
    expect(await answers("unknown@example.com", "203.0.113.2")).toEqual([undefined, undefined, "RATE_LIMITED"]);
    const limited = await auth.requestPasswordReset("known@example.com", { clientAddress: "203.0.113.3" });
    expect(limited).toMatchObject({ error: { code: "RATE_LIMITED" }, retryAfterSeconds: expect.any(Number) });
    // Per address: 5 requests for 5 different emails, the sixth is refused.
    const fromOneAddress: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      fromOneAddress.push(
        codeOf(await auth.requestPasswordReset(`n${i}@example.com`, { clientAddress: "198.51.100.7" })),
      );
    }
    expect(fromOneAddress).toEqual([undefined, undefined, undefined, undefined, undefined, "RATE_LIMITED"]);
  });

  it("forgets the account's failed sign-ins once its password is reset", async () => {
    const { auth, mail } = setup({
      emailVerification: undefined,
      rateLimit: { signInPerAccount: { attempts: 2, windowSeconds: 600 } },
    });
    await signedUp(auth, "locked@example.com");
    await auth.signIn("locked@example.com", "wrong password 1");
    await auth.signIn("locked@example.com", "wrong password 2");
    expect(codeOf(await auth.signIn("locked@example.com", PASSWORD))).toBe("RATE_LIMITED");
    await auth.requestPasswordReset("locked@example.com");
    const [email] = await mail();
    expect(await auth.resetPassword(email?.token ?? "", NEW_PASSWORD)).toEqual({ success: true });
    expect(await auth.signIn("locked@example.com", NEW_PASSWORD)).toHaveProperty("token");
  });

  it("refuses a malformed email with VALIDATION_ERROR", async () => {
    const { auth } = setup();
    expect(codeOf(await auth.requestPasswordReset("not-an-email"))).toBe("VALIDATION_ERROR");
  });

  it("never puts the token in an answer or a failure report", async () => {
    const { auth, mail, failures } = setup({ emailVerification: undefined });
    await signedUp(auth, "leak@example.com");
    const answers = [await auth.requestPasswordReset("leak@example.com")];
    const [email] = await mail();
    answers.push(await auth.resetPassword(email?.token ?? "", "short"));
    answers.push(await auth.resetPassword(email?.token ?? "", NEW_PASSWORD));
    answers.push(await auth.resetPassword(email?.token ?? "", NEW_PASSWORD));
    expect(JSON.stringify([answers, failures])).not.toContain(email?.token);
  });
});

describe("email verification", () => {
  it("emails a verification link on sign-up; the token verifies the email once, and guards see it", async () => {
    const { auth, base, mail } = setup({ passwordReset: undefined });
    const { id, token: session } = await signedUp(auth, "vic@example.com");
    const [email] = await mail();
    expect(email).toMatchObject({ kind: "verification", email: "vic@example.com" });
    expect(Math.abs((email?.expiresAt.getTime() ?? 0) - Date.now() - 24 * 60 * 60_000)).toBeLessThan(5_000);
    expect((await auth.verifyToken(session ?? ""))?.emailVerified).toBe(false);

    expect(await auth.verifyEmail(email?.token ?? "")).toEqual({ success: true });
    expect((await base.findById(id))?.emailVerified).toBe(true);
    expect((await auth.verifyToken(session ?? ""))?.emailVerified).toBe(true);
    // The public user is unchanged.
    expect(await auth.getSession(session ?? "")).toEqual({
      user: { id, email: "vic@example.com", is_active: true },
    });
    expect(await auth.verifyEmail(email?.token ?? "")).toEqual({
      error: {
        code: "INVALID_VERIFICATION_TOKEN",
        message: "This verification link is invalid, expired or already used; ask for a new one",
      },
    });
  });

  it("with required: true, sign-up answers { user } without a token, and sign-in waits for verification", async () => {
    const { auth, calls, mail } = setup({
      passwordReset: undefined,
      emailVerification: { send: () => {}, required: true },
    });
    const sent: AccountEmailMessage[] = [];
    const required = new Auth101({
      secret: SECRET,
      emailVerification: { send: (message) => void sent.push(message), required: true },
    });
    const up = await required.signUp("req@example.com", PASSWORD);
    expect(up).toEqual({ user: { id: expect.any(String), email: "req@example.com", is_active: true } });

    expect(await required.signIn("req@example.com", "wrong password")).toEqual({
      error: { code: "INVALID_CREDENTIALS", message: "Invalid email or password" },
    });
    expect(await required.signIn("req@example.com", PASSWORD)).toEqual({
      error: {
        code: "EMAIL_NOT_VERIFIED",
        message: "Verify your email address first: open the link we sent you, or ask for a new one",
      },
    });
    await required.whenIdle();
    expect(await required.verifyEmail(sent[0]?.token ?? "")).toEqual({ success: true });
    expect(await required.signIn("req@example.com", PASSWORD)).toHaveProperty("token");

    // No session is created by a sign-up that answers no token.
    calls.length = 0;
    await auth.signUp("nosession@example.com", PASSWORD);
    await mail();
    expect(calls).toEqual(["create", "replaceOneTimeToken"]);
  });

  it("sends a new link only to a registered, active, unverified user, answering every email alike", async () => {
    const { auth, base, mail } = setup({ passwordReset: undefined });
    await signedUp(auth, "again@example.com");
    const verified = await signedUp(auth, "done@example.com");
    const [first, second] = await mail();
    expect(await auth.verifyEmail(second?.token ?? "")).toEqual({ success: true });
    const inactive = await signedUp(auth, "off@example.com");
    await base.setActive(inactive.id, false);
    await mail();
    const before = (await mail()).length;

    for (const email of ["again@example.com", "done@example.com", "off@example.com", "nobody@example.com"]) {
      expect(await auth.sendVerificationEmail(email)).toEqual({ success: true });
    }
    const fresh = (await mail()).slice(before);
    expect(fresh.map((email) => email.email)).toEqual(["again@example.com"]);
    // The newer link retires the one sent on sign-up.
    expect(codeOf(await auth.verifyEmail(first?.token ?? ""))).toBe("INVALID_VERIFICATION_TOKEN");
    expect(await auth.verifyEmail(fresh[0]?.token ?? "")).toEqual({ success: true });
    expect(verified.id).not.toBe("");
  });

  it("does the same store and token work before answering for an unknown email as for a registered one", async () => {
    const { auth, calls } = setup({ passwordReset: undefined });
    await signedUp(auth, "known@example.com");
    await auth.whenIdle();
    const workFor = async (email: string) => {
      calls.length = 0;
      vi.mocked(oneTimeTokens.newOneTimeToken).mockClear();
      await auth.sendVerificationEmail(email);
      const work = { store: [...calls], tokens: vi.mocked(oneTimeTokens.newOneTimeToken).mock.calls.length };
      await auth.whenIdle();
      return work;
    };
    const known = await workFor("known@example.com");
    expect(known).toEqual({ store: ["findByEmail"], tokens: 1 });
    expect(await workFor("unknown@example.com")).toEqual(known);
  });

  it("keeps reset and verification tokens apart", async () => {
    const { auth, mail } = setup();
    await signedUp(auth, "both@example.com");
    await auth.requestPasswordReset("both@example.com");
    const [verification, reset] = await mail();
    expect(codeOf(await auth.verifyEmail(reset?.token ?? ""))).toBe("INVALID_VERIFICATION_TOKEN");
    expect(codeOf(await auth.resetPassword(verification?.token ?? "", NEW_PASSWORD))).toBe("INVALID_RESET_TOKEN");
    expect(await auth.verifyEmail(verification?.token ?? "")).toEqual({ success: true });
    expect(await auth.resetPassword(reset?.token ?? "", NEW_PASSWORD)).toEqual({ success: true });
  });

  it("lets a required-verification user in after a password reset, which proves the email too", async () => {
    const { auth, mail } = setup({ emailVerification: { send: () => {}, required: true } });
    await signedUp(auth, "forgot@example.com");
    expect(codeOf(await auth.signIn("forgot@example.com", PASSWORD))).toBe("EMAIL_NOT_VERIFIED");
    await auth.requestPasswordReset("forgot@example.com");
    const [reset] = await mail();
    expect(await auth.resetPassword(reset?.token ?? "", NEW_PASSWORD)).toEqual({ success: true });
    expect(await auth.signIn("forgot@example.com", NEW_PASSWORD)).toHaveProperty("token");
  });

  it("refuses an expired verification token", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T12:00:00Z") });
    const sentLater: AccountEmailMessage[] = [];
    const { auth, mail } = setup({ emailVerification: { send: (m) => void sentLater.push(m), expiresIn: 30 } });
    await signedUp(auth, "late@example.com");
    await mail();
    vi.setSystemTime(new Date("2026-06-01T12:30:00Z"));
    expect(codeOf(await auth.verifyEmail(sentLater[0]?.token ?? ""))).toBe("INVALID_VERIFICATION_TOKEN");
  });

  it("throttles verification-email requests per email and per address", async () => {
    const { auth } = setup({ rateLimit: { verificationEmailPerEmail: { attempts: 1, windowSeconds: 60 } } });
    expect(await auth.sendVerificationEmail("x@example.com")).toEqual({ success: true });
    expect(codeOf(await auth.sendVerificationEmail("X@example.com"))).toBe("RATE_LIMITED");
  });
});

describe("when the app gives no sender", () => {
  it("keeps the flows off: their methods answer VALIDATION_ERROR, sign-up and sign-in are as before", async () => {
    const auth = new Auth101({ secret: SECRET });
    expect(auth.features).toEqual({ passwordReset: false, emailVerification: false });
    expect(await auth.requestPasswordReset("a@example.com")).toEqual({
      error: {
        code: "VALIDATION_ERROR",
        message: "password reset is off: pass passwordReset: { send } to new Auth101()",
      },
    });
    expect(codeOf(await auth.resetPassword("t", NEW_PASSWORD))).toBe("VALIDATION_ERROR");
    expect(codeOf(await auth.sendVerificationEmail("a@example.com"))).toBe("VALIDATION_ERROR");
    expect(codeOf(await auth.verifyEmail("t"))).toBe("VALIDATION_ERROR");
    expect(await auth.signUp("a@example.com", PASSWORD)).toHaveProperty("token");
  });

  it("refuses a sender option without send, with unknown keys or nonsense expiry, at construction", () => {
    const make = (options: Partial<Auth101Options>) => () => new Auth101({ secret: SECRET, ...options });
    expect(make({ passwordReset: {} as never })).toThrow("passwordReset.send must be a function");
    expect(make({ emailVerification: { send: () => {}, requried: true } as never })).toThrow(
      'unknown option "emailVerification.requried"',
    );
    expect(make({ passwordReset: { send: () => {}, expiresIn: 0 } })).toThrow(
      "passwordReset.expiresIn (minutes) must be a whole number from 1 to 1440",
    );
    expect(make({ emailVerification: { send: () => {}, required: "yes" as never } })).toThrow(
      "emailVerification.required must be true or false",
    );
  });
});
