import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { describe, expect, it } from "vitest";
import { HashWorkerPool } from "./hash-worker-pool.js";

const OWASP = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

describe("HashWorkerPool", () => {
  it("makes Argon2id hashes that @node-rs/argon2 verifies, and verifies its hashes alike", async () => {
    const pool = new HashWorkerPool({ size: 2, threadNice: 5 });
    const made = await pool.run({ kind: "argon2-hash", password: "correct horse", ...OWASP });
    expect(made).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await argon2Verify(made as string, "correct horse")).toBe(true);
    const theirs = await argon2Hash("correct horse", { ...OWASP, algorithm: 2 as never });
    expect(await pool.run({ kind: "argon2-verify", storedHash: theirs, password: "correct horse" })).toBe(true);
    expect(await pool.run({ kind: "argon2-verify", storedHash: theirs, password: "correct horsE" })).toBe(false);
    const bcrypt = await bcryptHash("imported", 4);
    expect(await pool.run({ kind: "bcrypt-verify", storedHash: bcrypt, password: "imported" })).toBe(true);
    expect(await pool.run({ kind: "bcrypt-verify", storedHash: bcrypt, password: "importeD" })).toBe(false);
  });

  it("runs at most `size` tasks at once, in as many threads, and finishes every queued one", async () => {
    const pool = new HashWorkerPool({ size: 2, threadNice: 0 });
    const tasks = Array.from({ length: 6 }, (_, index) =>
      pool.run({ kind: "argon2-hash", password: `password-${index}`, ...OWASP }),
    );
    expect(pool.threadCount).toBe(2);
    const hashes = (await Promise.all(tasks)) as string[];
    expect(pool.threadCount).toBe(2);
    for (const [index, made] of hashes.entries()) expect(await argon2Verify(made, `password-${index}`)).toBe(true);
  });

  it("rejects with the binding's error when a hash fails, and keeps serving", async () => {
    const pool = new HashWorkerPool({ size: 1, threadNice: 19 });
    await expect(
      pool.run({ kind: "argon2-hash", password: "pw", memoryCost: 1, timeCost: 2, parallelism: 1 }),
    ).rejects.toThrow(/memory/i);
    await expect(
      pool.run({ kind: "argon2-verify", storedHash: "$argon2id$garbage", password: "pw" }),
    ).rejects.toThrow();
    expect(await pool.run({ kind: "argon2-hash", password: "pw", ...OWASP })).toMatch(/^\$argon2id\$/);
  });

  it("lowers its threads' priority on Linux", async () => {
    if (process.platform !== "linux") return;
    const before = new Set(readdirSync("/proc/self/task"));
    const pool = new HashWorkerPool({ size: 1, threadNice: 7 });
    await pool.run({ kind: "argon2-hash", password: "pw", ...OWASP });
    const nices = readdirSync("/proc/self/task")
      .filter((id) => !before.has(id))
      .map((id) => Number(readFileSync(`/proc/self/task/${id}/stat`, "utf8").split(") ")[1]?.split(" ")[16]));
    expect(nices).toContain(7);
  });

  it("keeps the process alive while a hash is pending, and lets it exit afterwards", async () => {
    // A child process runs the built package (the sources are TypeScript).
    const built = fileURLToPath(new URL("../dist/hash-worker-pool.js", import.meta.url));
    const script = `
      import { HashWorkerPool } from ${JSON.stringify(built)};
      const pool = new HashWorkerPool({ size: 2, threadNice: 5 });
      pool.run({ kind: "argon2-hash", password: "pw", memoryCost: 19456, timeCost: 2, parallelism: 1 })
        .then((made) => console.log(made));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      timeout: 20_000,
    });
    expect(stdout).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("lets a process that signed up and in exit by itself once whenIdle() resolves", async () => {
    const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const script = `
      import { Auth101, MemoryStore } from ${JSON.stringify(built)};
      const auth = new Auth101({ secret: "${randomBytes(32).toString("base64url")}", store: new MemoryStore(), onFailure: () => {} });
      await auth.signUp("ann@example.com", "a long enough password");
      const signedIn = await auth.signIn("ann@example.com", "a long enough password");
      await auth.whenIdle();
      console.log("token" in signedIn);
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe("true");
  });
});
