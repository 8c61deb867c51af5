import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Auth101Options } from "@auth101/core";
import { Auth101, MemoryStore, openApiDocument } from "@auth101/core";
import { listenOnLoopback } from "@auth101/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoConfig } from "../demo-config.js";
import { demoEmailOptions } from "../mail.js";
import type { DemoMailer } from "../mail.js";
import { createDemoMailer } from "../mail.js";
import type { ReceivedMail, SmtpInbox } from "./smtp-inbox.js";
import { linkIn, startSmtpInbox } from "./smtp-inbox.js";
import { CONTENT_SECURITY_POLICY } from "../page.js";
import type { RunningDemo } from "./demo-process.js";
import { bearer, killIfRunning, postJson, startDemoProcess, stopDemoProcess, tokenFrom } from "./demo-process.js";
import { describeSessionsOnEveryDatabase } from "./describe-demo-sessions.js";

export interface DemoAppTestOptions {
  /** The demo's build output, run as `node <builtMain>`: `new URL("../dist/main.js", import.meta.url)`. */
  readonly builtMain: URL;
  /** Serves the demo's `createApp` in this process on 127.0.0.1 at a free port, with these auth101 options. */
  readonly serveInProcess: (options: Auth101Options) => Promise<InProcessDemo>;
  /** More environment for every child process, e.g. `{ NEST_PLATFORM: "fastify" }`. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface InProcessDemo {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

const SECRET = "demo-app-tests-secret-0123456789-abcdefghijklmnop";
/** The secret a rotation puts first. */
const ROTATED_SECRET = "demo-app-tests-rotated-9876543210-zyxwvutsrqponm";
const PASSWORD = "correct horse battery staple";

const NEW_PASSWORD = "a brand new passphrase 2026";

/**
 * What every demo app promises, whatever its framework: the endpoints under /auth and
 * `GET /me` in process; password reset and email verification with real email, received by an
 * SMTP server on 127.0.0.1 and followed end to end; and, run as `node dist/main.js` on an
 * SQLite file, users kept across restarts, mail over SMTP_URL (or printed without it),
 * AUTH101_REQUIRE_EMAIL_VERIFICATION, a clean exit on SIGTERM and SIGINT, a loud warning
 * without AUTH101_SECRET and a one-line failure on a taken port; and the sessions of
 * docs/http-api.md over HTTP on SQLite, PostgreSQL and MariaDB, two processes per database
 * (see describe-demo-sessions.ts). `name` is the one the demo prints (`express-demo`).
 */
export function describeDemoApp(name: string, options: DemoAppTestOptions): void {
  describeInProcess(options);
  describeEmailFlowsInProcess(options);
  describeChildProcess(name, fileURLToPath(options.builtMain), options.env ?? {});
  describeSessionsOnEveryDatabase(fileURLToPath(options.builtMain), options.env ?? {});
}

let emailCounter = 0;
/** A fresh address for each test, so one inbox serves them all. */
function freshEmail(label: string): string {
  emailCounter += 1;
  return `${label}-${process.pid}-${emailCounter}@example.com`;
}

/** The demo with the mailer a real deployment gets from its environment, sending to `inbox`. */
async function serveWithMail(
  serveInProcess: DemoAppTestOptions["serveInProcess"],
  inbox: SmtpInbox,
  requireEmailVerification: boolean,
): Promise<{ readonly demo: InProcessDemo; readonly mailer: DemoMailer }> {
  const config = loadDemoConfig({
    AUTH101_SECRET: SECRET,
    SMTP_URL: inbox.url,
    AUTH101_REQUIRE_EMAIL_VERIFICATION: String(requireEmailVerification),
  });
  const mailer = createDemoMailer(config.smtpUrl);
  let url = "http://127.0.0.1:0";
  const demo = await serveInProcess({
    secret: config.secret,
    store: new MemoryStore(),
    ...demoEmailOptions(config, mailer, () => url),
  });
  url = demo.url;
  return { demo, mailer };
}

/** The link in the mail must lead back to the demo that sent it, to a page it serves. */
async function followLink(demoUrl: string, mail: ReceivedMail, path: string): Promise<string> {
  const { url, token } = linkIn(mail, path);
  expect(url.origin).toBe(new URL(demoUrl).origin);
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const page = await fetch(url);
  expect(page.status, `GET ${url.pathname}`).toBe(200);
  expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  return token;
}

function describeEmailFlowsInProcess({ serveInProcess }: DemoAppTestOptions): void {
  describe("password reset and email verification in process, over a real SMTP server", () => {
    let inbox: SmtpInbox;
    let optional: { readonly demo: InProcessDemo; readonly mailer: DemoMailer };
    let required: { readonly demo: InProcessDemo; readonly mailer: DemoMailer };
    const at = (demo: InProcessDemo, path: string): string => `${demo.url}${path}`;

    beforeAll(async () => {
      inbox = await startSmtpInbox();
      optional = await serveWithMail(serveInProcess, inbox, false);
      required = await serveWithMail(serveInProcess, inbox, true);
    });
    afterAll(async () => {
      for (const served of [optional, required]) {
        await served?.demo.close();
        served?.mailer.close();
      }
      await inbox?.close();
    });

    it("lists the email flows in GET /auth/openapi.json once they are on", async () => {
      const document = (await (await fetch(at(optional.demo, "/auth/openapi.json"))).json()) as { paths: object };
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(["/auth/reset-password", "/auth/verify-email"]),
      );
    });

    it("resets a password from the emailed link, once; the old password stops working", async () => {
      const { demo } = optional;
      const email = freshEmail("reset");
      expect((await postJson(at(demo, "/auth/sign-up/email"), { email, password: PASSWORD })).status).toBe(200);
      await inbox.nextMailTo(email); // the verification email sent on sign-up

      const requested = await postJson(at(demo, "/auth/request-password-reset"), { email });
      expect(requested.status).toBe(200);
      expect(await requested.json()).toEqual({ success: true });
      const mail = await inbox.nextMailTo(email);
      expect(mail.subject).toBe("Reset your password");
      const token = await followLink(demo.url, mail, "/reset-password");

      const before = await tokenFrom(await postJson(at(demo, "/auth/sign-in/email"), { email, password: PASSWORD }));
      const reset = await postJson(at(demo, "/auth/reset-password"), { token, new_password: NEW_PASSWORD });
      expect(reset.status).toBe(200);
      // Every session of the user ended with the reset.
      expect((await fetch(at(demo, "/me"), { headers: bearer(before) })).status).toBe(401);
      expect(await reset.json()).toEqual({ success: true });
      const again = await postJson(at(demo, "/auth/reset-password"), { token, new_password: NEW_PASSWORD });
      expect(again.status).toBe(400);
      expect(await again.json()).toMatchObject({ error: { code: "INVALID_RESET_TOKEN" } });
      expect((await postJson(at(demo, "/auth/sign-in/email"), { email, password: PASSWORD })).status).toBe(401);
      const signIn = await postJson(at(demo, "/auth/sign-in/email"), { email, password: NEW_PASSWORD });
      expect((await fetch(at(demo, "/me"), { headers: bearer(await tokenFrom(signIn)) })).status).toBe(200);
    });

    it("changes a password with the current one: a new token, the old one and the old password refused", async () => {
      const { demo } = optional;
      const email = freshEmail("change");
      const up = await postJson(at(demo, "/auth/sign-up/email"), { email, password: PASSWORD });
      const oldToken = await tokenFrom(up);
      const changed = await fetch(at(demo, "/auth/change-password"), {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer(oldToken) },
        body: JSON.stringify({ current_password: PASSWORD, new_password: NEW_PASSWORD }),
      });
      expect(changed.status).toBe(200);
      const newToken = await tokenFrom(changed);
      expect((await fetch(at(demo, "/me"), { headers: bearer(oldToken) })).status).toBe(401);
      expect(await (await fetch(at(demo, "/me"), { headers: bearer(newToken) })).json()).toEqual({
        id: expect.any(String),
        email,
      });
      expect((await postJson(at(demo, "/auth/sign-in/email"), { email, password: PASSWORD })).status).toBe(401);
      expect((await postJson(at(demo, "/auth/sign-in/email"), { email, password: NEW_PASSWORD })).status).toBe(200);
    });

    it("answers a reset request for an unknown email the same, and mails nothing", async () => {
      const { demo } = optional;
      const email = freshEmail("nobody");
      const requested = await postJson(at(demo, "/auth/request-password-reset"), { email });
      expect(requested.status).toBe(200);
      expect(await requested.json()).toEqual({ success: true });
      await expect(inbox.nextMailTo(email, 500)).rejects.toThrow(/no email to/);
    });

    it("verifies an email from the link mailed on sign-up, and from a new link on request", async () => {
      const { demo } = optional;
      const email = freshEmail("verify");
      expect((await postJson(at(demo, "/auth/sign-up/email"), { email, password: PASSWORD })).status).toBe(200);
      const first = await inbox.nextMailTo(email);
      expect(first.subject).toBe("Verify your email address");
      const firstToken = await followLink(demo.url, first, "/verify-email");

      expect((await postJson(at(demo, "/auth/send-verification-email"), { email })).status).toBe(200);
      const second = await followLink(demo.url, await inbox.nextMailTo(email), "/verify-email");
      // The newer link retired the first.
      expect((await postJson(at(demo, "/auth/verify-email"), { token: firstToken })).status).toBe(400);
      const verified = await postJson(at(demo, "/auth/verify-email"), { token: second });
      expect(verified.status).toBe(200);
      expect(await verified.json()).toEqual({ success: true });
    });

    it("with required verification, signs in only once the mailed link was followed", async () => {
      const { demo } = required;
      const email = freshEmail("required");
      const up = await postJson(at(demo, "/auth/sign-up/email"), { email, password: PASSWORD });
      expect(up.status).toBe(200);
      expect(await up.json()).toEqual({ user: { id: expect.any(String), email, is_active: true } });

      const wrong = await postJson(at(demo, "/auth/sign-in/email"), { email, password: `${PASSWORD}!` });
      expect(wrong.status).toBe(401);
      const early = await postJson(at(demo, "/auth/sign-in/email"), { email, password: PASSWORD });
      expect(early.status).toBe(403);
      expect(await early.json()).toMatchObject({ error: { code: "EMAIL_NOT_VERIFIED" } });

      const token = await followLink(demo.url, await inbox.nextMailTo(email), "/verify-email");
      expect((await postJson(at(demo, "/auth/verify-email"), { token })).status).toBe(200);
      const signIn = await postJson(at(demo, "/auth/sign-in/email"), { email, password: PASSWORD });
      expect(signIn.status).toBe(200);
      const me = await fetch(at(demo, "/me"), { headers: bearer(await tokenFrom(signIn)) });
      expect(await me.json()).toEqual({ id: expect.any(String), email });
    });
  });
}

function describeInProcess({ serveInProcess }: DemoAppTestOptions): void {
  describe("createApp (in process)", () => {
    let demo: InProcessDemo | undefined;
    const url = (path: string): string => `${demo?.url}${path}`;

    beforeAll(async () => {
      demo = await serveInProcess({ secret: SECRET, store: new MemoryStore() });
    });
    afterAll(() => demo?.close());

    it("serves the endpoints under /auth and GET /me as { id, email }", async () => {
      const signUp = await postJson(url("/auth/sign-up/email"), { email: "demo@example.com", password: PASSWORD });
      expect(signUp.status).toBe(200);
      expect(signUp.headers.get("cache-control")).toBe("no-store");
      const token = await tokenFrom(signUp);

      const me = await fetch(url("/me"), { headers: bearer(token) });
      expect(me.status).toBe(200);
      const body = (await me.json()) as Record<string, unknown>;
      expect(body).toEqual({ id: expect.any(String), email: "demo@example.com" });

      const session = await fetch(url("/auth/session"), { headers: bearer(token) });
      expect(await session.json()).toEqual({ user: { id: body["id"], email: "demo@example.com", is_active: true } });

      const signIn = await postJson(url("/auth/sign-in/email"), { email: "demo@example.com", password: PASSWORD });
      expect(signIn.status).toBe(200);

      const signOut = await fetch(url("/auth/sign-out"), { method: "POST", headers: bearer(token) });
      expect(await signOut.json()).toEqual({ success: true });
    });

    it("serves the OpenAPI document of its endpoints at GET /auth/openapi.json", async () => {
      const answer = await fetch(url("/auth/openapi.json"));
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
      // The demo's instance has no email flows: the document is the one of what it serves.
      const served = openApiDocument({
        prefix: "/auth",
        auth: new Auth101({ secret: SECRET, store: new MemoryStore() }),
      });
      expect(await answer.json()).toEqual(served);
      expect(Object.keys(served.paths)).not.toContain("/auth/reset-password");
    });

    it("answers GET /me without a token with 401 and the error body", async () => {
      const me = await fetch(url("/me"));
      expect(me.status).toBe(401);
      expect(me.headers.get("www-authenticate")).toBe('Bearer realm="auth101"');
      expect(await me.json()).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
    });

    it("serves the sign-in page and its assets from 'self' under a strict Content-Security-Policy", async () => {
      for (const [path, type] of [
        ["/", "text/html"],
        ["/assets/page.js", "text/javascript"],
        ["/assets/page.css", "text/css"],
      ] as const) {
        const answer = await fetch(url(path));
        expect(answer.status, path).toBe(200);
        expect(answer.headers.get("content-type"), path).toMatch(new RegExp(`^${type}; charset=utf-8$`));
        expect(answer.headers.get("content-security-policy"), path).toBe(CONTENT_SECURITY_POLICY);
        expect(answer.headers.get("x-content-type-options"), path).toBe("nosniff");
      }
      const page = await (await fetch(url("/"))).text();
      expect(page).toContain('<script type="module" src="/assets/page.js"></script>');
      expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(page).not.toMatch(/\sstyle=|\son[a-z]+=/i);
    });

    it("serves the token pages with Referrer-Policy: no-referrer and no-store", async () => {
      for (const path of ["/reset-password?token=abc", "/verify-email?token=abc"]) {
        const answer = await fetch(url(path));
        expect(answer.status, path).toBe(200);
        expect(answer.headers.get("referrer-policy"), path).toBe("no-referrer");
        expect(answer.headers.get("cache-control"), path).toBe("no-store");
        expect(answer.headers.get("content-security-policy"), path).toBe(CONTENT_SECURITY_POLICY);
        expect(await answer.text(), path).toContain('data-testid="message"');
      }
      expect((await fetch(url("/"))).headers.get("referrer-policy")).toBeNull();
    });

    it("answers a malformed body with the core's 400, not the framework's", async () => {
      const answer = await fetch(url("/auth/sign-in/email"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{",
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toEqual({
        error: { code: "VALIDATION_ERROR", message: "Request body must be valid JSON" },
      });
    });
  });
}

function describeChildProcess(name: string, mainJs: string, demoEnv: Readonly<Record<string, string>>): void {
  describe("the built demo as a child process, on SQLite", () => {
    const directory = mkdtempSync(join(tmpdir(), `auth101-${name}-`));
    const databaseUrl = `file:${join(directory, "demo.db")}`;

    const children: ChildProcessWithoutNullStreams[] = [];
    afterAll(() => {
      for (const child of children) killIfRunning(child);
      rmSync(directory, { recursive: true, force: true });
    });

    async function start(env: Record<string, string>): Promise<RunningDemo> {
      const demo = await startDemoProcess(mainJs, { DATABASE_URL: databaseUrl, ...demoEnv, ...env });
      children.push(demo.child);
      return demo;
    }
    const stop = stopDemoProcess;

    it("keeps users in the SQLite file across restarts and closes cleanly on SIGTERM and SIGINT", async () => {
      const first = await start({ AUTH101_SECRET: SECRET });
      const email = "persisted@example.com";
      const signUp = await postJson(`${first.url}/auth/sign-up/email`, { email, password: PASSWORD });
      expect(signUp.status, first.output()).toBe(200);
      const token = await tokenFrom(signUp);
      const me = await fetch(`${first.url}/me`, { headers: bearer(token) });
      expect(await me.json()).toEqual({ id: expect.any(String), email });
      expect(await stop(first, "SIGTERM"), first.output()).toBe(0);

      const second = await start({ AUTH101_SECRET: SECRET });
      // The same secret: a token from before the restart is still good.
      expect((await fetch(`${second.url}/me`, { headers: bearer(token) })).status).toBe(200);
      const signIn = await postJson(`${second.url}/auth/sign-in/email`, { email, password: PASSWORD });
      expect(signIn.status, second.output()).toBe(200);
      const duplicate = await postJson(`${second.url}/auth/sign-up/email`, { email, password: PASSWORD });
      expect(duplicate.status).toBe(409);
      expect(await stop(second, "SIGINT"), second.output()).toBe(0);
    }, 60_000);

    it("rotates the secret across restarts: AUTH101_PREVIOUS_SECRETS keeps everyone signed in, dropping it ends the old tokens", async () => {
      const email = freshEmail("rotation");
      const kidOf = (token: string): unknown =>
        (JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { kid?: unknown }).kid;
      const me = (demo: RunningDemo, token: string): Promise<Response> =>
        fetch(`${demo.url}/me`, { headers: bearer(token) });
      const signIn = async (demo: RunningDemo): Promise<string> => {
        const answer = await postJson(`${demo.url}/auth/sign-in/email`, { email, password: PASSWORD });
        expect(answer.status, demo.output()).toBe(200);
        return tokenFrom(answer);
      };

      const underA = await start({ AUTH101_SECRET: SECRET });
      const signUp = await postJson(`${underA.url}/auth/sign-up/email`, { email, password: PASSWORD });
      expect(signUp.status, underA.output()).toBe(200);
      const tokenA = await tokenFrom(signUp);
      expect(await stop(underA, "SIGTERM"), underA.output()).toBe(0);

      const rotated = await start({ AUTH101_SECRET: ROTATED_SECRET, AUTH101_PREVIOUS_SECRETS: SECRET });
      expect((await me(rotated, tokenA)).status, rotated.output()).toBe(200);
      const tokenB = await signIn(rotated);
      expect(kidOf(tokenB)).toMatch(/^[\w-]{16}$/);
      expect(kidOf(tokenB)).not.toBe(kidOf(tokenA));
      expect(await stop(rotated, "SIGTERM"), rotated.output()).toBe(0);

      const underB = await start({ AUTH101_SECRET: ROTATED_SECRET });
      const refused = await me(underB, tokenA);
      expect(refused.status, underB.output()).toBe(401);
      expect(await refused.json()).toEqual({ error: { code: "INVALID_TOKEN", message: expect.any(String) } });
      expect((await me(underB, tokenB)).status).toBe(200);
      expect(kidOf(await signIn(underB))).toBe(kidOf(tokenB));
      expect(await stop(underB, "SIGTERM"), underB.output()).toBe(0);
    }, 60_000);

    it("mails over SMTP_URL with links to its own address, and with AUTH101_REQUIRE_EMAIL_VERIFICATION=true lets no one in unverified", async () => {
      const inbox = await startSmtpInbox();
      try {
        const demo = await start({
          AUTH101_SECRET: SECRET,
          SMTP_URL: inbox.url,
          AUTH101_REQUIRE_EMAIL_VERIFICATION: "true",
        });
        expect(demo.output()).toContain("emails are sent over SMTP");
        expect(demo.output()).not.toContain(inbox.url);
        const email = freshEmail("child");
        const up = await postJson(`${demo.url}/auth/sign-up/email`, { email, password: PASSWORD });
        expect(await up.json(), demo.output()).toEqual({ user: { id: expect.any(String), email, is_active: true } });
        expect((await postJson(`${demo.url}/auth/sign-in/email`, { email, password: PASSWORD })).status).toBe(403);

        const verification = await followLink(demo.url, await inbox.nextMailTo(email), "/verify-email");
        expect((await postJson(`${demo.url}/auth/verify-email`, { token: verification })).status).toBe(200);
        expect((await postJson(`${demo.url}/auth/sign-in/email`, { email, password: PASSWORD })).status).toBe(200);

        expect((await postJson(`${demo.url}/auth/request-password-reset`, { email })).status).toBe(200);
        const reset = await followLink(demo.url, await inbox.nextMailTo(email), "/reset-password");
        const answer = await postJson(`${demo.url}/auth/reset-password`, { token: reset, new_password: NEW_PASSWORD });
        expect(answer.status).toBe(200);
        expect((await postJson(`${demo.url}/auth/sign-in/email`, { email, password: NEW_PASSWORD })).status).toBe(200);
        expect(await stop(demo, "SIGTERM"), demo.output()).toBe(0);
      } finally {
        await inbox.close();
      }
    }, 60_000);

    it("prints the email, link included, when SMTP_URL is unset; links use APP_URL when set", async () => {
      const demo = await start({ AUTH101_SECRET: SECRET, APP_URL: "https://app.example.com/" });
      expect(demo.output()).toContain("emails are printed here");
      const email = freshEmail("printed");
      expect((await postJson(`${demo.url}/auth/sign-up/email`, { email, password: PASSWORD })).status).toBe(200);
      expect((await postJson(`${demo.url}/auth/request-password-reset`, { email })).status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (!demo.output().includes("/reset-password?token=") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(demo.output()).toContain(`To: ${email}`);
      expect(demo.output()).toMatch(/https:\/\/app\.example\.com\/verify-email\?token=[\w-]{43}/);
      expect(demo.output()).toMatch(/https:\/\/app\.example\.com\/reset-password\?token=[\w-]{43}/);
      expect(await stop(demo, "SIGTERM")).toBe(0);
    }, 30_000);

    it("starts with a loud warning and a random secret when AUTH101_SECRET is unset", async () => {
      const demo = await start({});
      expect(demo.output()).toContain("AUTH101_SECRET is not set");
      const signIn = await postJson(`${demo.url}/auth/sign-in/email`, {
        email: "nobody@example.com",
        password: PASSWORD,
      });
      expect(signIn.status).toBe(401);
      expect(await stop(demo, "SIGTERM")).toBe(0);
    }, 30_000);

    it("answers requests Node's HTTP parser refuses with the JSON envelope and Connection: close", async () => {
      const demo = await start({ AUTH101_SECRET: SECRET });
      const { port } = new URL(demo.url);
      const smuggling =
        "POST /auth/sign-in/email HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      const hugeHeader = `GET /me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`;
      for (const [bytes, status] of [
        [smuggling, 400],
        [hugeHeader, 431],
      ] as const) {
        const answer = await sendRaw(Number(port), bytes);
        expect(answer.split("\r\n")[0], demo.output()).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
        expect(answer).toContain("\r\nConnection: close\r\n");
        expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toEqual({
          error: { code: "VALIDATION_ERROR", message: expect.any(String) },
        });
      }
      expect(await stop(demo, "SIGTERM")).toBe(0);
    }, 30_000);

    it("exits with status 1 and a one-line message, not a stack trace, when the port is taken", async () => {
      const holder = await listenOnLoopback((_request, response) => response.end());
      try {
        const failure = await start({ AUTH101_SECRET: SECRET, PORT: new URL(holder.url).port }).then(
          () => undefined,
          (error: unknown) => String(error),
        );
        expect(failure).toMatch(new RegExp(`exited with 1[\\s\\S]*${name} failed to start: listen EADDRINUSE`));
        expect(failure).not.toContain("    at ");
      } finally {
        await holder.close();
      }
    }, 30_000);
  });
}

/** Sends bytes as they are; resolves with everything received once the server closes. */
function sendRaw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
    socket.write(bytes);
  });
}
