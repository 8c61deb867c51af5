import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { UserStore } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import { listenOnLoopback } from "@auth101/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY } from "../page.js";

export interface DemoAppTestOptions {
  /** The demo's build output, run as `node <builtMain>`: `new URL("../dist/main.js", import.meta.url)`. */
  readonly builtMain: URL;
  /** Serves the demo's `createApp` in this process on 127.0.0.1 at a free port. */
  readonly serveInProcess: (options: { readonly secret: string; readonly store: UserStore }) => Promise<InProcessDemo>;
  /** More environment for every child process, e.g. `{ NEST_PLATFORM: "fastify" }`. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface InProcessDemo {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

const SECRET = "demo-app-tests-secret-0123456789-abcdefghijklmnop";
const PASSWORD = "correct horse battery staple";

/**
 * What every demo app promises, whatever its framework: the endpoints under /auth and
 * `GET /me` in process, and, run as `node dist/main.js` on an SQLite file, users kept across
 * restarts, a clean exit on SIGTERM and SIGINT, a loud warning without AUTH101_SECRET and a
 * one-line failure on a taken port. `name` is the one the demo prints (`express-demo`).
 */
export function describeDemoApp(name: string, options: DemoAppTestOptions): void {
  describeInProcess(options);
  describeChildProcess(name, fileURLToPath(options.builtMain), options.env ?? {});
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

interface RunningDemo {
  readonly url: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: () => string;
}

function describeChildProcess(name: string, mainJs: string, demoEnv: Readonly<Record<string, string>>): void {
  describe("the built demo as a child process, on SQLite", () => {
    const directory = mkdtempSync(join(tmpdir(), `auth101-${name}-`));
    const databaseUrl = `file:${join(directory, "demo.db")}`;

    const children: ChildProcessWithoutNullStreams[] = [];
    afterAll(() => {
      // A failed assertion must not leave a demo running.
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      rmSync(directory, { recursive: true, force: true });
    });

    /** Resolves once the demo prints its URL; rejects, with all it printed, if it exits first. */
    function start(env: Record<string, string>): Promise<RunningDemo> {
      if (!existsSync(mainJs))
        throw new Error(`${mainJs} is missing: build first (pnpm build, or pnpm test from the root)`);
      const child = spawn(process.execPath, [mainJs], {
        env: { PATH: process.env["PATH"] ?? "", PORT: "0", DATABASE_URL: databaseUrl, ...demoEnv, ...env },
      });
      children.push(child);
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (text: string) => (output += text));
      child.stderr.setEncoding("utf8").on("data", (text: string) => (output += text));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`the demo did not start:\n${output}`));
        }, 20_000);
        child.stdout.on("data", () => {
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match?.[1] === undefined) return;
          clearTimeout(timer);
          resolve({ url: match[1], child, output: () => output });
        });
        child.once("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`the demo exited with ${code}:\n${output}`));
        });
      });
    }

    function stop(demo: RunningDemo, signal: NodeJS.Signals): Promise<number | null> {
      return new Promise((resolve) => {
        demo.child.removeAllListeners("exit");
        demo.child.once("exit", (code) => resolve(code));
        demo.child.kill(signal);
      });
    }

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

function postJson(url: string, value: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(value) });
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function tokenFrom(response: Response): Promise<string> {
  const body = (await response.json()) as { token?: string };
  if (body.token === undefined) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.token;
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
