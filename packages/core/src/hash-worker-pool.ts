import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

export type HashTask =
  | {
      readonly kind: "argon2-hash";
      readonly password: string;
      readonly memoryCost: number;
      readonly timeCost: number;
      readonly parallelism: number;
    }
  | { readonly kind: "argon2-verify"; readonly storedHash: string; readonly password: string }
  | { readonly kind: "bcrypt-verify"; readonly storedHash: string; readonly password: string };

type HashReply =
  | { readonly ok: true; readonly value: string | boolean }
  | { readonly ok: false; readonly message: string };

/** An idle worker exits after this long, so instances no longer used do not hold threads. */
const IDLE_WORKER_MS = 10_000;

// Evaluated in each worker, so it works the same from the built package, from the TypeScript
// sources under a test runner, and bundled (no worker file to locate). Only dynamic imports:
// the worker evaluates it as CommonJS or as a module, as the parent's --input-type says.
const WORKER_SOURCE = `
(async () => {
  const { parentPort, workerData } = await import("node:worker_threads");
  try {
    if (workerData.nice === 0) throw new Error("keep the process's priority");
    const thread = (await import("node:fs")).readlinkSync("/proc/thread-self");
    (await import("node:os")).setPriority(Number(thread.slice(thread.lastIndexOf("/") + 1)), workerData.nice);
  } catch {
    // Not asked for, not Linux, or not allowed: hash at the priority the process has.
  }
  const argon2 = (await import(workerData.argon2Url)).default;
  const bcrypt = (await import(workerData.bcryptUrl)).default;
  parentPort.on("message", (task) => {
    let reply;
    try {
      const value =
        task.kind === "argon2-hash"
          ? argon2.hashSync(task.password, {
              memoryCost: task.memoryCost,
              timeCost: task.timeCost,
              parallelism: task.parallelism,
              algorithm: 2,
            })
          : task.kind === "argon2-verify"
            ? argon2.verifySync(task.storedHash, task.password)
            : bcrypt.verifySync(task.password, task.storedHash);
      reply = { ok: true, value };
    } catch (error) {
      reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    parentPort.postMessage(reply);
  });
})();
`;

const requireFromHere = createRequire(import.meta.url);
const bindingPaths = {
  argon2Url: pathToFileURL(requireFromHere.resolve("@node-rs/argon2")).href,
  bcryptUrl: pathToFileURL(requireFromHere.resolve("@node-rs/bcrypt")).href,
};

export interface HashWorkerPoolOptions {
  /** Most worker threads, so most tasks running at once. */
  readonly size: number;
  /** Linux nice value each worker gives its own thread (0: unchanged); where that fails, it runs as it is. */
  readonly threadNice: number;
}

interface QueuedTask {
  readonly task: HashTask;
  readonly resolve: (value: string | boolean) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Runs Argon2id and bcrypt in at most `size` worker threads (at the priority `threadNice`
 * gives them; by default the process's own), one task per thread at a time, the others queued
 * first come first served. Workers start on demand, keep
 * the process alive only while they have a task, and exit after {@link IDLE_WORKER_MS} idle.
 */
export class HashWorkerPool {
  readonly #size: number;
  readonly #workerData: typeof bindingPaths & { readonly nice: number };
  readonly #idle = new Map<Worker, NodeJS.Timeout>();
  readonly #busy = new Map<Worker, QueuedTask>();
  readonly #queue: QueuedTask[] = [];

  constructor(options: HashWorkerPoolOptions) {
    this.#size = options.size;
    this.#workerData = { ...bindingPaths, nice: options.threadNice };
  }

  /** Worker threads running now, busy or idle. */
  get threadCount(): number {
    return this.#idle.size + this.#busy.size;
  }

  run(task: HashTask): Promise<string | boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#takeIdle() ?? (this.threadCount < this.#size ? this.#startWorker() : undefined);
      if (worker === undefined) return;
      const queued = this.#queue.shift() as QueuedTask;
      this.#busy.set(worker, queued);
      worker.ref();
      worker.postMessage(queued.task);
    }
  }

  #startWorker(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.#workerData });
    worker.on("message", (reply: HashReply) => {
      const queued = this.#settle(worker);
      worker.unref();
      const retire = setTimeout(() => {
        this.#idle.delete(worker);
        void worker.terminate();
      }, IDLE_WORKER_MS);
      retire.unref();
      this.#idle.set(worker, retire);
      if (queued !== undefined) {
        if (reply.ok) queued.resolve(reply.value);
        else queued.reject(new Error(reply.message));
      }
      this.#dispatch();
    });
    const lose = (error: Error) => {
      clearTimeout(this.#idle.get(worker));
      this.#idle.delete(worker);
      this.#settle(worker)?.reject(error);
      this.#dispatch();
    };
    worker.on("error", lose);
    worker.on("exit", (code) => lose(new Error(`hash worker exited with code ${code}`)));
    return worker;
  }

  #takeIdle(): Worker | undefined {
    for (const [worker, retire] of this.#idle) {
      clearTimeout(retire);
      this.#idle.delete(worker);
      return worker;
    }
    return undefined;
  }

  #settle(worker: Worker): QueuedTask | undefined {
    const queued = this.#busy.get(worker);
    this.#busy.delete(worker);
    return queued;
  }
}
