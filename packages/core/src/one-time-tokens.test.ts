import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashOneTimeToken, newOneTimeToken } from "./one-time-tokens.js";

describe("one-time tokens", () => {
  it("are 256 random bits as 43 base64url characters", () => {
    const token = newOneTimeToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
  });

  it("never repeat", () => {
    const tokens = new Set(Array.from({ length: 1000 }, newOneTimeToken));
    expect(tokens.size).toBe(1000);
  });

  it("are stored as the hex SHA-256 of the token, never the token", () => {
    const token = newOneTimeToken();
    const stored = hashOneTimeToken(token);
    expect(stored).toBe(createHash("sha256").update(token).digest("hex"));
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(token);
  });

  it("hash any string, malformed ones included", () => {
    expect(hashOneTimeToken("")).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOneTimeToken("not a token \u{1F600}")).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOneTimeToken("a")).not.toBe(hashOneTimeToken("b"));
  });
});
