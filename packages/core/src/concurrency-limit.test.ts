import { describe, expect, it } from "vitest";
import { ConcurrencyLimit } from "./concurrency-limit.js";

/** A task that starts when the limit lets it and ends when the test says so. */
function controlledTask(started: string[], name: string): { run: () => Promise<string>; finish: () => void } {
  let finish = (): void => {};
  const ended = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    run: async () => {
      started.push(name);
      await ended;
      return name;
    },
    finish: () => finish(),
  };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("ConcurrencyLimit", () => {
  it("runs at most `limit` tasks at once and starts the waiting ones in arrival order", async () => {
    const limit = new ConcurrencyLimit(2);
    const started: string[] = [];
    const tasks = ["a", "b", "c", "d"].map((name) => controlledTask(started, name));
    const results = tasks.map((task) => limit.run(task.run));
    await settle();
    expect(started).toEqual(["a", "b"]);

    tasks[1]?.finish();
    await settle();
    expect(started).toEqual(["a", "b", "c"]);

    tasks[0]?.finish();
    await settle();
    expect(started).toEqual(["a", "b", "c", "d"]);

    tasks[2]?.finish();
    tasks[3]?.finish();
    expect(await Promise.all(results)).toEqual(["a", "b", "c", "d"]);
  });

  it("frees the slot of a task that fails", async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error("hash failed")))).rejects.toThrow("hash failed");
    expect(await limit.run(async () => "next")).toBe("next");
  });
});
