import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Auth101, MemoryStore } from "@auth101/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./main.js";

const SECRET = "koa-demo-tests-secret-0123456789-abcdefghij";
const PASSWORD = "correct horse battery";

async function postJson(url: string, value: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(value) });
}

async function tokenFrom(response: Response): Promise<string> {
  const body = (await response.json()) as { token?: string };
  if (body.token === undefined) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.token;
}

describe("createApp (in process)", () => {
  let base: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const server = createApp(new Auth101({ secret: SECRET, store: new MemoryStore() })).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  it("serves the endpoints under /auth and GET /me as { id, email }", async () => {
    const signUp = await postJson(`${base}/auth/sign-up/email`, { email: "demo@example.com", password: PASSWORD });
    expect(signUp.status).toBe(200);
    const token = await tokenFrom(signUp);

    const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as Record<string, unknown>;
    expect(body).toEqual({ id: expect.any(String), email: "demo@example.com" });

    const session = await fetch(`${base}/auth/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(await session.json()).toEqual({ user: { id: body["id"], email: "demo@example.com", is_active: true } });
  });

  it("answers GET /me without a token with 401 and the error body", async () => {
    const me = await fetch(`${base}/me`);
    expect(me.status).toBe(401);
    expect(me.headers.get("www-authenticate")).toBe('Bearer realm="auth101"');
    expect(await me.json()).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
  });
});

describe("the built demo as a child process, on SQLite", () => {
  const mainJs = fileURLToPath(new URL("../dist/main.js", import.meta.url));
  const directory = mkdtempSync(join(tmpdir(), "auth101-koa-demo-"));
  const databaseUrl = `file:${join(directory, "demo.db")}`;

  const children: ChildProcessWithoutNullStreams[] = [];
  afterAll(() => {
    // A failed assertion must not leave a demo running.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
  });

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
    children.push(child);
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (output += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (output += text));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo did not start:\n${output}`)), 20_000);
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
    const me = await fetch(`${first.url}/me`, { headers: { authorization: `Bearer ${await tokenFrom(signUp)}` } });
    expect(await me.json()).toMatchObject({ email });
    expect(await stop(first, "SIGTERM")).toBe(0);

    const second = await start({ AUTH101_SECRET: SECRET });
    const signIn = await postJson(`${second.url}/auth/sign-in/email`, { email, password: PASSWORD });
    expect(signIn.status, second.output()).toBe(200);
    const duplicate = await postJson(`${second.url}/auth/sign-up/email`, { email, password: PASSWORD });
    expect(duplicate.status).toBe(409);
    expect(await stop(second, "SIGINT")).toBe(0);
  }, 60_000);

  it("exits with a message, not a stack trace, when the port is taken", async () => {
    const demo = await start({ AUTH101_SECRET: SECRET });
    const port = new URL(demo.url).port;
    const second = spawn(process.execPath, [mainJs], {
      env: { PATH: process.env["PATH"] ?? "", PORT: port, DATABASE_URL: databaseUrl, AUTH101_SECRET: SECRET },
    });
    children.push(second);
    let output = "";
    second.stderr.setEncoding("utf8").on("data", (text: string) => (output += text));
    const code = await new Promise((resolve) => second.once("exit", resolve));
    expect(code).toBe(1);
    expect(output).toContain("koa-demo failed to start: listen EADDRINUSE");
    expect(output).not.toContain("    at ");
    expect(await stop(demo, "SIGTERM")).toBe(0);
  }, 30_000);

  it("starts with a loud warning and a random secret when AUTH101_SECRET is unset", async () => {
    const demo = await start({});
    expect(demo.output()).toContain("AUTH101_SECRET is not set");
    const signIn = await postJson(`${demo.url}/auth/sign-in/email`, { email: "nobody@example.com", password: PASSWORD });
    expect(signIn.status).toBe(401);
    expect(await stop(demo, "SIGTERM")).toBe(0);
  }, 30_000);
});
