import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { Auth101 } from "./auth101.js";
import type { ResolvedRateLimits } from "./rate-limits.js";
import { RateLimits } from "./rate-limits.js";
import { TokenIssuer } from "./tokens.js";

// Memory is measured after full collections, so the numbers depend on what is retained, not on timing.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;
function retainedBytesAfter(work: () => Promise<void>): Promise<number> {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  return work().then(() => {
    collectGarbage();
    return process.memoryUsage().heapUsed - before;
  });
}

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const FLOOD = 20_000;

function limits(overrides: Partial<ResolvedRateLimits> = {}): RateLimits {
  return new RateLimits({
    redis: undefined,
    signInPerAccount: { attempts: 10, windowSeconds: 900 },
    signInPerAddress: { attempts: 100, windowSeconds: 900 },
    signUpPerAddress: { attempts: 20, windowSeconds: 3600 },
    passwordResetPerEmail: { attempts: 5, windowSeconds: 3600 },
    passwordResetPerAddress: { attempts: 20, windowSeconds: 3600 },
    verificationEmailPerEmail: { attempts: 5, windowSeconds: 3600 },
    verificationEmailPerAddress: { attempts: 20, windowSeconds: 3600 },
    ipv6PrefixLength: 64,
    maxTrackedKeys: 100_000,
    ...overrides,
  });
}

describe("a flood of sign-ins with fresh emails", () => {
  it("from one address: once the address is throttled, no attempt creates anything", async () => {
    const rateLimits = limits();
    let throttled = 0;
    for (let i = 0; i < FLOOD; i++) {
      if ((await rateLimits.beginSignIn(`flood-${i}@example.com`, "203.0.113.7")) !== undefined) throttled++;
    }
    expect(throttled).toBe(FLOOD - 100);
    expect(rateLimits.trackedKeys()).toEqual({ signInByAccount: 100, signInByAddress: 1, signUpByAddress: 0 });
  });

  it("from one address, through Auth101: retained memory does not grow with the flood", async () => {
    const auth = new Auth101({
      secret: SECRET,
      rateLimit: { signInPerAddress: { attempts: 5, windowSeconds: 900 } },
      onFailure: () => {},
    });
    const context = { clientAddress: "2001:db8:1:2::7" };
    for (let i = 0; i < 5; i++) await auth.signIn(`warm-${i}@example.com`, "wrong password", context);
    const codes = new Set<string>();
    const retained = await retainedBytesAfter(async () => {
      for (let i = 0; i < FLOOD; i++) {
        const result = await auth.signIn(`flood-${i}@example.com`, "wrong password", context);
        if ("error" in result) codes.add(result.error.code);
      }
    });
    expect(codes).toEqual(new Set(["RATE_LIMITED"]));
    // A counter per email (what each attempt used to create) retains ~300 bytes: 6 MB for this flood.
    expect(retained).toBeLessThan(1024 * 1024);
  });

  it("from many addresses and many IPv6 networks: every counter stays at its cap", async () => {
    const rateLimits = limits({ maxTrackedKeys: 1_000 });
    for (let i = 0; i < FLOOD; i++) {
      const address =
        i % 2 === 0 ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : `2001:db8:${i.toString(16)}::1`;
      await rateLimits.beginSignIn(`flood-${i}@example.com`, address);
      await rateLimits.beginSignUp(address);
    }
    expect(rateLimits.trackedKeys()).toEqual({
      signInByAccount: 1_000,
      signInByAddress: 1_000,
      signUpByAddress: 1_000,
    });
  });

  it("from many addresses: retained memory stops growing at the cap", async () => {
    const rateLimits = limits({ maxTrackedKeys: 1_000 });
    const flood = (from: number) => async () => {
      for (let i = from; i < from + FLOOD; i++)
        await rateLimits.beginSignIn(`flood-${i}@example.com`, `10.9.${(i >> 8) & 255}.${i & 255}`);
    };
    await flood(0)();
    // The counters are full; a second flood of as many fresh keys only replaces entries.
    expect(await retainedBytesAfter(flood(FLOOD))).toBeLessThan(256 * 1024);
  });

  it("from IPv6 addresses of one /64: they share one address counter", async () => {
    const rateLimits = limits();
    let throttled = 0;
    for (let i = 0; i < 1_000; i++) {
      const address = `2001:db8:aa:bb:${((i * 7919) & 0xffff).toString(16)}:${i.toString(16)}:1:2`;
      if ((await rateLimits.beginSignIn(`v6-${i}@example.com`, address)) !== undefined) throttled++;
    }
    expect(throttled).toBe(900);
    expect(rateLimits.trackedKeys()).toMatchObject({ signInByAccount: 100, signInByAddress: 1 });
  });
});

describe("the verified-token cache", () => {
  it("holds at most 10,000 tokens, however many valid ones are presented", () => {
    const issuer = new TokenIssuer({ secrets: [SECRET], issuer: "auth101", lifetimeSeconds: 3600 });
    for (let i = 0; i < 12_000; i++) expect(issuer.verify(issuer.issue(`user-${i}`).token)?.userId).toBe(`user-${i}`);
    expect(issuer.cachedTokens).toBe(10_000);
  });
});
