import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";

/**
 * What instructions.ts counts with (and the smoke test drives without callgrind): a benchmark
 * server script started on its own, as `node dist/servers/x.js` prints its port, and a client
 * that sends it session requests one at a time over one keep-alive connection, so every
 * request goes through a real socket, Node's parser and the framework as in the benchmark.
 */

const START_TIMEOUT_MS = 120_000;

export interface StartedServer {
  readonly origin: string;
  /** The server's process id: under valgrind, valgrind's, which is the one callgrind_control takes. */
  readonly pid: number;
  /** Stops the server and resolves once it has exited. */
  stop(): Promise<void>;
}

/** How to start a server script: its environment, and what instructions.ts runs it under. */
export interface ServerScriptOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** A command the node process runs under (`valgrind --tool=callgrind ...`); none by default. */
  readonly wrapper?: readonly string[];
  readonly nodeFlags?: readonly string[];
  /** Working directory, where V8 writes its logs (`--perf-basic-prof`); this process's by default. */
  readonly cwd?: string;
}

/** Starts `dist/servers/<script>` as `...wrapper node ...nodeFlags <script>` and waits for its port. */
export async function startServerScript(script: string, options: ServerScriptOptions = {}): Promise<StartedServer> {
  const { env = {}, wrapper = [], nodeFlags = [], cwd } = options;
  // The compiled script, whether this module runs compiled (dist/) or under vitest (src/).
  const path = fileURLToPath(new URL(`../dist/servers/${script}`, import.meta.url));
  const commandLine = [...wrapper, process.execPath, ...nodeFlags, path];
  const child = spawn(commandLine[0] as string, commandLine.slice(1), {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(cwd !== undefined && { cwd }),
  });
  const output: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  const port = await listeningPort(child, output);
  const pid = child.pid as number;
  return {
    origin: `http://127.0.0.1:${port}`,
    pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The port from the `{"type":"listening","port":N}` line serve.ts prints when it has no parent to tell. */
function listeningPort(child: ChildProcess, output: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${reason}\n${output.join("").slice(-2000)}`));
    };
    const timer = setTimeout(() => fail("the server printed no port"), START_TIMEOUT_MS);
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const port = /"type":"listening","port":(\d+)/.exec(seen)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      resolve(Number(port));
    });
    child.once("exit", (code, signal) => fail(`the server exited (${signal ?? `code ${code}`}) before it listened`));
  });
}

/** One keep-alive connection, one request at a time. */
export class OneConnectionClient {
  readonly #origin: URL;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(origin: string) {
    this.#origin = new URL(origin);
  }

  /** Sends `count` `GET path` requests, cycling through `headers`; each answer must be 200. */
  async send(path: string, headers: readonly Readonly<Record<string, string>>[], count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      const status = await this.#get(path, headers[index % headers.length] ?? {});
      if (status !== 200) throw new Error(`GET ${path} answered ${status}`);
    }
  }

  close(): void {
    this.#agent.destroy();
  }

  #get(path: string, headers: Readonly<Record<string, string>>): Promise<number> {
    return new Promise((resolve, reject) => {
      const sent = request(
        { host: this.#origin.hostname, port: this.#origin.port, path, headers, agent: this.#agent },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
          response.on("error", reject);
        },
      );
      sent.on("error", reject);
      sent.end();
    });
  }
}
