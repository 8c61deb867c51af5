import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";

export interface RunningDemo {
  /** `http://127.0.0.1:<port>`, as the demo printed it. */
  readonly url: string;
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything the demo printed so far, stdout and stderr. */
  readonly output: () => string;
}

/**
 * Runs `node <mainJs>` on port 0 with only PATH and `env` in its environment. Resolves once the
 * demo prints its URL; rejects, with all it printed, if it exits first or is silent for 20 s.
 */
export function startDemoProcess(mainJs: string, env: Readonly<Record<string, string>>): Promise<RunningDemo> {
  if (!existsSync(mainJs))
    throw new Error(`${mainJs} is missing: build first (pnpm build, or pnpm test from the root)`);
  const child = spawn(process.execPath, [mainJs], { env: { PATH: process.env["PATH"] ?? "", PORT: "0", ...env } });
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

/** Sends `signal` and resolves with the exit code. */
export function stopDemoProcess(demo: RunningDemo, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    demo.child.removeAllListeners("exit");
    demo.child.once("exit", (code) => resolve(code));
    demo.child.kill(signal);
  });
}

/** For afterAll: a failed assertion must not leave a demo running. */
export function killIfRunning(child: ChildProcessWithoutNullStreams): void {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

export function postJson(url: string, value: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(value),
  });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export async function tokenFrom(response: Response): Promise<string> {
  const body = (await response.json()) as { token?: string };
  if (body.token === undefined) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.token;
}
