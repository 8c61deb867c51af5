import { createHmac, generateKeyPairSync } from "node:crypto";
import jwt from "jsonwebtoken";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TokenIssuer } from "./tokens.js";

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const issuer = new TokenIssuer({ secret: SECRET, issuer: "auth101", lifetimeSeconds: 3600 });
const now = (): number => Math.floor(Date.now() / 1000);

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
function handMade(header: object, payload: object, key: string | null): string {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  if (key === null) return `${signingInput}.`;
  return `${signingInput}.${createHmac("sha256", key).update(signingInput).digest("base64url")}`;
}
const validClaims = (): Record<string, unknown> => ({
  sub: "user-1",
  iat: now(),
  exp: now() + 60,
  iss: "auth101",
  jti: "x",
});

describe("TokenIssuer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("issues tokens carrying exactly sub, iat, exp, iss and jti", () => {
    const token = issuer.issue("user-1");
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header).toEqual({ alg: "HS256", typ: "JWT" });
    const payload = decoded?.payload as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(["exp", "iat", "iss", "jti", "sub"]);
    expect(payload["sub"]).toBe("user-1");
    expect(payload["iss"]).toBe("auth101");
    expect(payload["exp"]).toBe((payload["iat"] as number) + 3600);
    expect(issuer.verify(token)).toBe("user-1");
  });

  it("gives every token its own jti", () => {
    const ids = new Set(Array.from({ length: 50 }, () => (jwt.decode(issuer.issue("u")) as { jti: string }).jti));
    expect(ids.size).toBe(50);
  });

  it("accepts a hand-made HS256 token with the right key, to show the checks below are what reject", () => {
    expect(issuer.verify(handMade({ alg: "HS256", typ: "JWT" }, validClaims(), SECRET))).toBe("user-1");
  });

  it("rejects a correctly signed token whose header carries crit, even with the extension present", () => {
    const header = {
      alg: "HS256",
      typ: "JWT",
      crit: ["urn:example:must-understand"],
      "urn:example:must-understand": true,
    };
    expect(issuer.verify(handMade(header, validClaims(), SECRET))).toBeUndefined();
    expect(issuer.verify(handMade({ alg: "HS256", typ: "JWT", crit: [] }, validClaims(), SECRET))).toBeUndefined();
  });

  it.each([
    ["jku", "https://attacker.example/jwks.json"],
    ["x5u", "https://attacker.example/cert.pem"],
    ["x5c", ["MIIB"]],
    ["jwk", { kty: "oct", k: Buffer.from(SECRET).toString("base64url") }],
  ])("rejects a correctly signed token whose header carries %s", (name, value) => {
    expect(issuer.verify(handMade({ alg: "HS256", typ: "JWT", [name]: value }, validClaims(), SECRET))).toBeUndefined();
  });

  it("rejects a token whose header is not a JSON object", () => {
    const claims = base64url(validClaims());
    for (const header of ["bm90IGpzb24", base64url([]), base64url("HS256"), base64url(null)]) {
      const signingInput = `${header}.${claims}`;
      const signature = createHmac("sha256", SECRET).update(signingInput).digest("base64url");
      expect(issuer.verify(`${signingInput}.${signature}`)).toBeUndefined();
    }
  });

  it("rejects alg none", () => {
    expect(issuer.verify(handMade({ alg: "none", typ: "JWT" }, validClaims(), null))).toBeUndefined();
    expect(issuer.verify(handMade({ alg: "NONE", typ: "JWT" }, validClaims(), null))).toBeUndefined();
  });

  it("rejects HS512 and HS384 signed with the right key", () => {
    for (const algorithm of ["HS384", "HS512"] as const) {
      const token = jwt.sign({ sub: "user-1", iss: "auth101" }, SECRET, { algorithm, expiresIn: 60 });
      expect(issuer.verify(token)).toBeUndefined();
    }
  });

  it("rejects RS256 (algorithm confusion) and a token signed with another secret", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(
      issuer.verify(jwt.sign({ sub: "user-1", iss: "auth101" }, privateKey, { algorithm: "RS256", expiresIn: 60 })),
    ).toBeUndefined();
    expect(issuer.verify(handMade({ alg: "HS256" }, validClaims(), `${SECRET}-other`))).toBeUndefined();
  });

  it("rejects a tampered payload", () => {
    const [header, , signature] = issuer.issue("user-1").split(".");
    const forged = `${header}.${base64url({ ...validClaims(), sub: "admin" })}.${signature}`;
    expect(issuer.verify(forged)).toBeUndefined();
  });

  it.each([
    ["no exp", { exp: undefined }],
    ["no iat", { iat: undefined }],
    ["a string exp", { exp: String(now() + 60) }],
    ["no sub", { sub: undefined }],
    ["an empty sub", { sub: "" }],
    ["a numeric sub", { sub: 42 }],
    ["another issuer", { iss: "someone-else" }],
    ["no issuer", { iss: undefined }],
    ["an iat in the future", { iat: now() + 120 }],
    ["an nbf in the future", { nbf: now() + 120 }],
    ["an exp in the past", { iat: now() - 120, exp: now() - 60 }],
  ])("rejects a correctly signed token with %s", (_, changes) => {
    expect(
      issuer.verify(handMade({ alg: "HS256", typ: "JWT" }, { ...validClaims(), ...changes }, SECRET)),
    ).toBeUndefined();
  });

  it("honours the configured lifetime", () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
    const token = issuer.issue("user-1");
    vi.setSystemTime(new Date("2026-01-01T00:59:59Z"));
    expect(issuer.verify(token)).toBe("user-1");
    vi.setSystemTime(new Date("2026-01-01T01:00:00Z"));
    expect(issuer.verify(token)).toBeUndefined();
  });

  it("checks the configured issuer", () => {
    const custom = new TokenIssuer({ secret: SECRET, issuer: "my-app", lifetimeSeconds: 60 });
    expect(custom.verify(custom.issue("u"))).toBe("u");
    expect(issuer.verify(custom.issue("u"))).toBeUndefined();
  });

  it.each(["", "garbage", "a.b.c", "....", "x".repeat(5000), `${"eyJ".repeat(2000)}.x.y`])(
    "rejects junk %#",
    (junk) => {
      expect(issuer.verify(junk)).toBeUndefined();
    },
  );

  describe("verified-token cache", () => {
    it("answers a token seen before without verifying its signature again, until it expires", () => {
      vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
      const cached = new TokenIssuer({ secret: SECRET, issuer: "auth101", lifetimeSeconds: 60 });
      const token = cached.issue("user-1");
      const verifySpy = vi.spyOn(jwt, "verify");
      try {
        expect(cached.verify(token)).toBe("user-1");
        expect(cached.verify(token)).toBe("user-1");
        expect(cached.verify(token)).toBe("user-1");
        expect(verifySpy).toHaveBeenCalledTimes(1);
        vi.setSystemTime(new Date("2026-01-01T00:01:00Z"));
        expect(cached.verify(token)).toBeUndefined();
        expect(cached.verify(token)).toBeUndefined();
      } finally {
        verifySpy.mockRestore();
      }
    });

    it("never remembers a token that failed a check", () => {
      const cached = new TokenIssuer({ secret: SECRET, issuer: "auth101", lifetimeSeconds: 60 });
      const forged = handMade({ alg: "HS256" }, validClaims(), `${SECRET}-other`);
      const verifySpy = vi.spyOn(jwt, "verify");
      try {
        expect(cached.verify(forged)).toBeUndefined();
        expect(cached.verify(forged)).toBeUndefined();
        expect(verifySpy).toHaveBeenCalledTimes(2);
      } finally {
        verifySpy.mockRestore();
      }
    });

    it("stays bounded: the oldest tokens are verified afresh once 10,000 newer ones were seen", () => {
      const cached = new TokenIssuer({ secret: SECRET, issuer: "auth101", lifetimeSeconds: 60 });
      const tokens = Array.from({ length: 10_001 }, (_, i) => cached.issue(`user-${i}`));
      for (const token of tokens) cached.verify(token);
      const verifySpy = vi.spyOn(jwt, "verify");
      try {
        expect(cached.verify(tokens[10_000] as string)).toBe("user-10000");
        expect(verifySpy).toHaveBeenCalledTimes(0);
        expect(cached.verify(tokens[0] as string)).toBe("user-0");
        expect(verifySpy).toHaveBeenCalledTimes(1);
      } finally {
        verifySpy.mockRestore();
      }
    });
  });
});
