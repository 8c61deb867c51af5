import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { UserStore } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./main.js";

const SECRET = "nestjs-demo-tests-secret-0123456789-abcdefghij";
const PASSWORD = "correct horse battery staple";

function postJson(url: string, value: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(value) });
}

async function tokenFrom(response: Response): Promise<string> {
  const body = (await response.json()) as { token?: string };
  if (body.token === undefined) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.token;
}

describe("createApp (in process)", () => {
  let base: string;
  let app: NestExpressApplication;
  let closed = 0;
  const store: UserStore & { close(): Promise<void> } = Object.assign(new MemoryStore(), {
    close: async () => {
      closed += 1;
    },
  });

  beforeAll(async () => {
    app = await createApp({ secret: SECRET, store }, false);
    await app.listen(0, "127.0.0.1");
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app?.close());

  it("serves the endpoints under /auth and GET /me as { id, email }", async () => {
    const signUp = await postJson(`${base}/auth/sign-up/email`, { email: "demo@example.com", password: PASSWORD });
    expect(signUp.status).toBe(200);
    expect(signUp.headers.get("cache-control")).toBe("no-store");
    const token = await tokenFrom(signUp);

    const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as Record<string, unknown>;
    expect(body).toEqual({ id: expect.any(String), email: "demo@example.com" });

    const session = await fetch(`${base}/auth/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(await session.json()).toEqual({ user: { id: body["id"], email: "demo@example.com", is_active: true } });

    const signIn = await postJson(`${base}/auth/sign-in/email`, { email: "demo@example.com", password: PASSWORD });
    expect(signIn.status).toBe(200);

    const signOut = await fetch(`${base}/auth/sign-out`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    expect(await signOut.json()).toEqual({ success: true });
  });

  it("answers GET /me without a token with 401 and the error body", async () => {
    const me = await fetch(`${base}/me`);
    expect(me.status).toBe(401);
    expect(me.headers.get("www-authenticate")).toBe('Bearer realm="auth101"');
    expect(await me.json()).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
  });

  it("answers a malformed body with the core's 400, not Nest's", async () => {
    const answer = await fetch(`${base}/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: { code: "VALIDATION_ERROR", message: "Request body must be valid JSON" } });
  });

  it("closes the store when the app closes", async () => {
    const other = await createApp({ secret: SECRET, store }, false);
    await other.init();
    const before = closed;
    await other.close();
    expect(closed).toBe(before + 1);
  });
});

describe("the workspace", () => {
  it("resolves one copy of @nestjs/core for the demo and @auth101/nestjs (Nest's DI needs one)", () => {
    const fromDemo = createRequire(import.meta.url);
    const fromIntegration = createRequire(fromDemo.resolve("@auth101/nestjs/package.json"));
    const corePackage = (require: NodeJS.Require): string => realpathSync(require.resolve("@nestjs/core/package.json"));
    expect(corePackage(fromIntegration)).toBe(corePackage(fromDemo));
    const fromPlatform = createRequire(fromDemo.resolve("@nestjs/platform-express/package.json"));
    expect(corePackage(fromPlatform)).toBe(corePackage(fromDemo));
  });
});

describe("the built demo as a child process, on SQLite", () => {
  const mainJs = fileURLToPath(new URL("../dist/main.js", import.meta.url));
  const directory = mkdtempSync(join(tmpdir(), "auth101-nestjs-demo-"));
  const databaseUrl = `file:${join(directory, "demo.db")}`;

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  interface RunningDemo {
    readonly url: string;
    readonly child: ChildProcessWithoutNullStreams;
    readonly output: () => string;
  }

  function start(env: Record<string, string>): Promise<RunningDemo> {
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build first (pnpm build, or pnpm test from the root)`);
    const child = spawn(process.execPath, [mainJs], {
      env: { PATH: process.env["PATH"] ?? "", PORT: "0", DATABASE_URL: databaseUrl, ...env },
    });
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
    const me = await fetch(`${first.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ id: expect.any(String), email });
    expect(await stop(first, "SIGTERM"), first.output()).toBe(0);

    const second = await start({ AUTH101_SECRET: SECRET });
    // The same secret: a token from before the restart is still good.
    expect((await fetch(`${second.url}/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const signIn = await postJson(`${second.url}/auth/sign-in/email`, { email, password: PASSWORD });
    expect(signIn.status, second.output()).toBe(200);
    const duplicate = await postJson(`${second.url}/auth/sign-up/email`, { email, password: PASSWORD });
    expect(duplicate.status).toBe(409);
    expect(await stop(second, "SIGINT"), second.output()).toBe(0);
  }, 60_000);

  it("starts with a loud warning and a random secret when AUTH101_SECRET is unset", async () => {
    const demo = await start({});
    expect(demo.output()).toContain("AUTH101_SECRET is not set");
    const signIn = await postJson(`${demo.url}/auth/sign-in/email`, { email: "nobody@example.com", password: PASSWORD });
    expect(signIn.status).toBe(401);
    expect(await stop(demo, "SIGTERM")).toBe(0);
  }, 30_000);

  it("exits with status 1 and a message when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const error = await start({ AUTH101_SECRET: SECRET, PORT: String(port) }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(String(error)).toMatch(/exited with 1[\s\S]*nestjs-demo failed to start: .*EADDRINUSE/);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 30_000);
});
