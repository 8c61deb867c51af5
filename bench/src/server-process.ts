import type { ChildProcess } from "node:child_process";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ServerMessage, StopMessage, UsageRequestMessage } from "./protocol.js";
import { isServerMessage } from "./protocol.js";

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
/** Lines of a server's output kept to explain a failure. */
const KEPT_OUTPUT_LINES = 30;

export interface ServerProcessOptions {
  /** File name under dist/servers, e.g. `express-auth101.js`. */
  readonly script: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Write a V8 CPU profile of the server into this directory when it exits. */
  readonly cpuProfileDirectory?: string | undefined;
  readonly name: string;
}

/** A benchmark server running as its own Node process on 127.0.0.1. */
export class ServerProcess {
  readonly origin: string;
  readonly #child: ChildProcess;
  readonly #output: string[];
  readonly #messages: ServerMessage[];
  readonly #waiters = new Set<() => void>();

  private constructor(child: ChildProcess, port: number, output: string[], messages: ServerMessage[]) {
    this.#child = child;
    this.origin = `http://127.0.0.1:${port}`;
    this.#output = output;
    this.#messages = messages;
    child.on("message", (message: unknown) => {
      if (isServerMessage(message)) this.#messages.push(message);
      for (const wake of this.#waiters) wake();
    });
    const wakeAll = (): void => {
      for (const wake of this.#waiters) wake();
    };
    child.on("exit", wakeAll);
    child.on("disconnect", wakeAll);
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const script = fileURLToPath(new URL(`./servers/${options.script}`, import.meta.url));
    const execArgv =
      options.cpuProfileDirectory === undefined
        ? []
        : [
            "--cpu-prof",
            `--cpu-prof-dir=${options.cpuProfileDirectory}`,
            `--cpu-prof-name=${options.name}.${process.pid}.${Date.now()}.cpuprofile`,
          ];
    const child = fork(script, [], {
      execArgv,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer): void => {
      output.push(
        ...chunk
          .toString("utf8")
          .split("\n")
          .filter((line) => line.trim() !== ""),
      );
      output.splice(0, Math.max(0, output.length - KEPT_OUTPUT_LINES));
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);

    const messages: ServerMessage[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      const fail = (reason: string): void => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        const tail = output.length > 0 ? `\n  ${output.join("\n  ")}` : "";
        reject(new Error(`${options.name} did not start: ${reason}${tail}`));
      };
      const timer = setTimeout(() => fail(`no port after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
      child.on("message", (message: unknown) => {
        if (!isServerMessage(message)) return;
        if (message.type === "listening") {
          clearTimeout(timer);
          resolve(message.port);
        } else if (message.type === "failed") {
          fail(message.reason);
        } else {
          messages.push(message);
        }
      });
      child.once("exit", (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
      child.once("error", (error) => fail(error.message));
    });
    child.removeAllListeners("message");
    child.removeAllListeners("exit");
    child.removeAllListeners("error");
    return new ServerProcess(child, port, output, messages);
  }

  /** The server's last lines of output, to explain a failed request. */
  get recentOutput(): readonly string[] {
    return this.#output;
  }

  /** CPU time the server process (all its threads) has used so far, in microseconds. */
  async cpuMicros(): Promise<number> {
    const before = this.#messages.length;
    const request: UsageRequestMessage = { type: "usage-request" };
    this.#child.send(request);
    await this.#until(
      () => this.#messages.slice(before).some((message) => message.type === "usage") || !this.#child.connected,
      STOP_TIMEOUT_MS,
    );
    const answer = this.#messages.slice(before).find((message) => message.type === "usage");
    if (answer?.type !== "usage") throw new Error("the server did not report its CPU usage");
    this.#messages.splice(before);
    return answer.cpuMicros;
  }

  /**
   * Asks the server to stop and resolves its peak RSS in bytes (undefined if it did not say,
   * e.g. because it had crashed). Kills it if it does not exit in time.
   */
  async stop(): Promise<number | undefined> {
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null && child.connected) {
      const stop: StopMessage = { type: "stop" };
      child.send(stop);
      // The report arrives before the channel closes; wait for both it (or the close) and the exit.
      await this.#until(
        () => (child.exitCode !== null || child.signalCode !== null) && (!child.connected || this.#hasStopped()),
        STOP_TIMEOUT_MS,
      );
    }
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await this.#until(() => child.exitCode !== null || child.signalCode !== null, STOP_TIMEOUT_MS);
    }
    const stopped = this.#messages.find((message) => message.type === "stopped");
    return stopped?.type === "stopped" ? stopped.peakRssBytes : undefined;
  }

  #hasStopped(): boolean {
    return this.#messages.some((message) => message.type === "stopped");
  }

  #until(condition: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const check = (): void => {
        if (condition()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }
}
