import { describe, expect, it } from "vitest";
import { Auth101 } from "./auth101.js";
import { MemoryStore } from "./memory-store.js";
import type { Auth101Options } from "./options.js";
import { Auth101ConfigError } from "./errors.js";

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";

function construct(options: Record<string, unknown>): () => Auth101 {
  return () => new Auth101(options as unknown as Auth101Options);
}

describe("Auth101 configuration", () => {
  it("accepts a 32-byte secret and defaults everything else", () => {
    expect(new Auth101({ secret: SECRET })).toBeInstanceOf(Auth101);
  });

  it.each([
    ["no options", undefined, /needs an options object/],
    ["no secret", {}, /a secret is required[\s\S]*randomBytes\(32\)/],
    ["an empty secret", { secret: "" }, /a secret is required/],
    ["a non-string secret", { secret: 12345 }, /secret must be a string, or a list of strings newest first/],
    ["an empty list of secrets", { secret: [] }, /secret is an empty list[\s\S]*\[current, \.\.\.previous\]/],
    [
      "a short previous secret",
      { secret: [SECRET, SECRET.slice(2)] },
      /secret\[1\] is 30 bytes; HS256 needs at least 32/,
    ],
    ["an empty previous secret", { secret: [SECRET, ""] }, /secret\[1\] is empty[\s\S]*randomBytes/],
    ["a repetitive previous secret", { secret: [SECRET, "ab".repeat(20)] }, /secret\[1\] is too repetitive/],
    ["a previous secret that is not a string", { secret: [SECRET, 42] }, /secret\[1\] must be a string/],
    ["a short signing secret in a list", { secret: [SECRET.slice(1), SECRET] }, /secret\[0\] is 31 bytes/],
    [
      "the same secret twice",
      { secret: [SECRET, `${SECRET}-older`, SECRET] },
      /secret\[2\] repeats secret\[0\]; list each secret once/,
    ],
    ["a 31-byte secret", { secret: SECRET.slice(1) }, /31 bytes; HS256 needs at least 32[\s\S]*randomBytes/],
    ["a repetitive secret", { secret: "ab".repeat(20) }, /too repetitive/],
    ["an unknown option", { secret: SECRET, tokenExpiresInMinutes: 5 }, /unknown option "tokenExpiresInMinutes"/],
    ["a second store option", { secret: SECRET, store: new MemoryStore(), stores: [] }, /unknown option "stores"/],
    [
      "a store missing methods",
      { secret: SECRET, store: { findById() {} } },
      /missing findByEmail, create, updatePasswordHash/,
    ],
    [
      "a store that is not an object",
      { secret: SECRET, store: "postgres://" },
      /does not implement the UserStore contract/,
    ],
    [
      "a zero lifetime",
      { secret: SECRET, tokenExpiresIn: 0 },
      /tokenExpiresIn \(minutes\) must be a whole number from 1 to 525600; got 0/,
    ],
    ["a negative lifetime", { secret: SECRET, tokenExpiresIn: -5 }, /tokenExpiresIn/],
    ["a fractional lifetime", { secret: SECRET, tokenExpiresIn: 1.5 }, /tokenExpiresIn/],
    ["an infinite lifetime", { secret: SECRET, tokenExpiresIn: Number.POSITIVE_INFINITY }, /tokenExpiresIn/],
    ["a lifetime over a year", { secret: SECRET, tokenExpiresIn: 525_601 }, /tokenExpiresIn/],
    ["a lifetime in a string", { secret: SECRET, tokenExpiresIn: "60" }, /tokenExpiresIn/],
    [
      "memory below OWASP",
      { secret: SECRET, hashing: { memoryCost: 4096 } },
      /hashing.memoryCost \(KiB\) must be a whole number from 19456/,
    ],
    ["one pass", { secret: SECRET, hashing: { timeCost: 1 } }, /hashing.timeCost must be a whole number from 2/],
    ["zero lanes", { secret: SECRET, hashing: { parallelism: 0 } }, /hashing.parallelism/],
    [
      "no hash at a time",
      { secret: SECRET, hashing: { maxConcurrent: 0 } },
      /hashing.maxConcurrent must be a whole number from 1 to 1024/,
    ],
    [
      "a hashing thread priority above the event loop's",
      { secret: SECRET, hashing: { threadNice: -5 } },
      /hashing.threadNice must be a whole number from 0 to 19/,
    ],
    [
      "a stored-hash memory limit below the configured cost",
      { secret: SECRET, hashing: { memoryCost: 65_536, storedHashLimits: { memoryCost: 32_768 } } },
      /hashing.storedHashLimits.memoryCost must be a whole number from 65536/,
    ],
    [
      "a stored-hash time limit that is not a number",
      { secret: SECRET, hashing: { storedHashLimits: { timeCost: "3" } } },
      /hashing.storedHashLimits.timeCost must be a whole number from 2/,
    ],
    [
      "a bcrypt cost limit above bcrypt's maximum",
      { secret: SECRET, hashing: { storedHashLimits: { bcryptCost: 32 } } },
      /hashing.storedHashLimits.bcryptCost must be a whole number from 4 to 31/,
    ],
    [
      "stored-hash limits that are not an object",
      { secret: SECRET, hashing: { storedHashLimits: 5 } },
      /storedHashLimits must be an object/,
    ],
    [
      "a minimum under 8",
      { secret: SECRET, password: { minLength: 6 } },
      /password.minLength must be a whole number from 8/,
    ],
    [
      "a maximum under 64",
      { secret: SECRET, password: { maxLength: 32 } },
      /password.maxLength must be a whole number from 64/,
    ],
    [
      "a minimum over the maximum",
      { secret: SECRET, password: { minLength: 100, maxLength: 64 } },
      /minLength \(100\) is greater than password.maxLength \(64\)/,
    ],
    [
      "an IPv6 prefix over 128",
      { secret: SECRET, rateLimit: { ipv6PrefixLength: 129 } },
      /rateLimit.ipv6PrefixLength must be a whole number from 1 to 128/,
    ],
    [
      "no tracked keys",
      { secret: SECRET, rateLimit: { maxTrackedKeys: 0 } },
      /rateLimit.maxTrackedKeys must be a whole number from 1/,
    ],
    ["an empty issuer", { secret: SECRET, issuer: " " }, /issuer must be a non-empty string/],
    ["a non-function onFailure", { secret: SECRET, onFailure: "log" }, /onFailure must be a function/],
    ["trustedOrigins as a string", { secret: SECRET, trustedOrigins: "https://a.example" }, /must be an array/],
    [
      "a trusted origin with a path",
      { secret: SECRET, trustedOrigins: ["https://a.example/app"] },
      /"https:\/\/a.example\/app" is not an origin/,
    ],
    ["a trusted origin without a scheme", { secret: SECRET, trustedOrigins: ["a.example"] }, /is not an origin/],
    ["a trusted origin that is not a string", { secret: SECRET, trustedOrigins: [42] }, /42 is not an origin/],
  ])("throws for %s", (_, options, message) => {
    expect(construct(options as Record<string, unknown>)).toThrow(Auth101ConfigError);
    expect(construct(options as Record<string, unknown>)).toThrow(message);
  });

  it("accepts a list of secrets, newest first, and never prints one in a message", () => {
    expect(new Auth101({ secret: [SECRET, `${SECRET}-older`] })).toBeInstanceOf(Auth101);
    expect(new Auth101({ secret: [SECRET] })).toBeInstanceOf(Auth101);
    expect(construct({ secret: [SECRET, SECRET] })).toThrow(/^(?![\s\S]*k3J9x)/);
    expect(construct({ secret: [SECRET, SECRET.slice(2)] })).toThrow(/^(?![\s\S]*mZ7pL)/);
  });

  it("names itself in every configuration message", () => {
    expect(construct({})).toThrow(/^auth101: /);
  });

  it("accepts stronger hashing and a custom policy", () => {
    expect(
      new Auth101({
        secret: SECRET,
        hashing: { memoryCost: 65_536, timeCost: 3, parallelism: 2 },
        password: { minLength: 12, maxLength: 256 },
        tokenExpiresIn: 15,
        issuer: "my-app",
        trustedOrigins: ["https://app.example.com", "http://127.0.0.1:3000"],
      }),
    ).toBeInstanceOf(Auth101);
  });
});
