import { setTimeout as sleep } from "node:timers/promises";
import { Auth101, MemoryStore } from "@auth101/core";
import type { UserStore } from "@auth101/core";
import { startReferenceServer } from "@auth101/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SECRET = "account-email-timing-secret-0123456789-abcdefgh";
/** Every store call takes this long, so a store write before the answer would show. */
const STORE_LATENCY_MS = 30;
/** The mail server takes this long, so waiting for it before the answer would show. */
const SENDER_LATENCY_MS = 150;
const ROUNDS = 15;

/** A MemoryStore whose every call waits first, like a database across a network. */
function slowStore(): UserStore {
  return new Proxy(new MemoryStore(), {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await sleep(STORE_LATENCY_MS);
        return value.apply(target, args);
      };
    },
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Over real HTTP, a request for a registered email and one for an unknown email take the same
 * time: the store write and the (slow) sender of the registered one happen after the answer.
 * Requests alternate, so load on the machine hits both alike; medians ignore stragglers.
 */
for (const endpoint of ["/request-password-reset", "/send-verification-email"]) {
  describe(`POST ${endpoint} timing`, () => {
    let url: string;
    let close: () => Promise<void>;
    let auth: Auth101;
    const registered: string[] = [];
    let sent = 0;

    beforeAll(async () => {
      const store = slowStore();
      const send = async (): Promise<void> => {
        await sleep(SENDER_LATENCY_MS);
        sent += 1;
      };
      auth = new Auth101({
        secret: SECRET,
        store,
        rateLimit: false,
        passwordReset: { send },
        emailVerification: { send },
        onFailure: () => {},
      });
      // Users straight into the store: no hashing needed for this test.
      for (let i = 0; i < ROUNDS; i++) {
        const user = await store.create({ email: `known-${i}@example.com`, passwordHash: "$argon2id$unused" });
        registered.push(user.email);
      }
      const server = await startReferenceServer({ auth });
      url = server.url;
      close = () => server.close();
    });
    afterAll(async () => {
      await auth.whenIdle();
      await close();
    });

    it("answers a registered email as fast as an unknown one, without waiting for the store write or the sender", async () => {
      const time = async (email: string): Promise<number> => {
        const started = performance.now();
        const answer = await fetch(`${url}/auth${endpoint}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email }),
        });
        expect(await answer.json()).toEqual({ success: true });
        return performance.now() - started;
      };
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        known.push(await time(registered[i] ?? ""));
        unknown.push(await time(`unknown-${i}@example.com`));
      }
      await auth.whenIdle();
      // Every registered user is active and unverified: each got the email, after the answer.
      expect(sent).toBe(ROUNDS);
      const difference = Math.abs(median(known) - median(unknown));
      // Awaiting the store write would add ~30 ms to the registered ones, the sender ~150 ms.
      expect(difference, `medians: registered ${median(known)} ms, unknown ${median(unknown)} ms`).toBeLessThan(
        STORE_LATENCY_MS / 2,
      );
    }, 60_000);
  });
}
