import { createHash, createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cacheKeyOf, keyIdOf, TokenIssuer } from "./tokens.js";

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const issuer = new TokenIssuer({ secrets: [SECRET], issuer: "auth101", lifetimeSeconds: 3600 });
const now = (): number => Math.floor(Date.now() / 1000);
/** The user id a token verifies as, or undefined. */
const subjectOf = (verifier: TokenIssuer, token: string): string | undefined => verifier.verify(token)?.userId;
const tokenOf = (verifier: TokenIssuer, userId: string): string => verifier.issue(userId).token;

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
  jti: randomUUID(),
});

describe("TokenIssuer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("issues tokens carrying exactly sub, iat, exp, iss and jti, with the signing secret's kid in the header", () => {
    const token = tokenOf(issuer, "user-1");
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header).toEqual({ alg: "HS256", typ: "JWT", kid: keyIdOf(SECRET) });
    const payload = decoded?.payload as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(["exp", "iat", "iss", "jti", "sub"]);
    expect(payload["sub"]).toBe("user-1");
    expect(payload["iss"]).toBe("auth101");
    expect(payload["exp"]).toBe((payload["iat"] as number) + 3600);
    expect(subjectOf(issuer, token)).toBe("user-1");
  });

  it("names a new session in every token: the jti is the session id, exp the session's expiry", () => {
    const issued = issuer.issue("user-1");
    const payload = jwt.decode(issued.token) as { jti: string; iat: number; exp: number };
    expect(payload.jti).toBe(issued.sessionId);
    expect(payload.exp * 1000).toBe(issued.expiresAt.getTime());
    expect(payload.iat).toBe(Math.floor(issued.issuedAt.getTime() / 1000));
    expect(issuer.verify(issued.token)).toEqual({
      userId: "user-1",
      sessionId: issued.sessionId,
      expiresAt: payload.exp,
    });
  });

  it("gives every token its own jti", () => {
    const ids = new Set(Array.from({ length: 50 }, () => (jwt.decode(tokenOf(issuer, "u")) as { jti: string }).jti));
    expect(ids.size).toBe(50);
  });

  it("accepts a hand-made HS256 token with the right key, to show the checks below are what reject", () => {
    expect(subjectOf(issuer, handMade({ alg: "HS256", typ: "JWT" }, validClaims(), SECRET))).toBe("user-1");
  });

  it("rejects a correctly signed token whose header carries crit, even with the extension present", () => {
    const header = {
      alg: "HS256",
      typ: "JWT",
      crit: ["urn:example:must-understand"],
      "urn:example:must-understand": true,
    };
    expect(subjectOf(issuer, handMade(header, validClaims(), SECRET))).toBeUndefined();
    expect(subjectOf(issuer, handMade({ alg: "HS256", typ: "JWT", crit: [] }, validClaims(), SECRET))).toBeUndefined();
  });

  it.each([
    ["jku", "https://attacker.example/jwks.json"],
    ["x5u", "https://attacker.example/cert.pem"],
    ["x5c", ["MIIB"]],
    ["jwk", { kty: "oct", k: Buffer.from(SECRET).toString("base64url") }],
  ])("rejects a correctly signed token whose header carries %s", (name, value) => {
    expect(
      subjectOf(issuer, handMade({ alg: "HS256", typ: "JWT", [name]: value }, validClaims(), SECRET)),
    ).toBeUndefined();
  });

  it("rejects a token whose header is not a JSON object", () => {
    const claims = base64url(validClaims());
    for (const header of ["bm90IGpzb24", base64url([]), base64url("HS256"), base64url(null)]) {
      const signingInput = `${header}.${claims}`;
      const signature = createHmac("sha256", SECRET).update(signingInput).digest("base64url");
      expect(subjectOf(issuer, `${signingInput}.${signature}`)).toBeUndefined();
    }
  });

  it("rejects anything but a compact JWS in base64url, however close to a real token", () => {
    const token = tokenOf(issuer, "user-1");
    const [header, payload, signature] = token.split(".") as [string, string, string];
    expect(subjectOf(issuer, token)).toBe("user-1");
    for (const shape of [
      "",
      "abc",
      `${token}=`,
      `${token} `,
      ` ${token}`,
      `${token}.`,
      `${header}.${payload}`,
      `${header} .${payload}.${signature}`,
      `${header}.${payload.slice(0, 10)}\n${payload.slice(10)}.${signature}`,
      `${header}+.${payload}.${signature}`,
      `${header}.${payload}.${signature.slice(1)}`,
      `${header}.${payload}.${signature}A`,
      `${header}.${payload}.${signature}.${signature}`,
    ]) {
      expect(subjectOf(issuer, shape), JSON.stringify(shape)).toBeUndefined();
    }
  });

  it("rejects alg none", () => {
    expect(subjectOf(issuer, handMade({ alg: "none", typ: "JWT" }, validClaims(), null))).toBeUndefined();
    expect(subjectOf(issuer, handMade({ alg: "NONE", typ: "JWT" }, validClaims(), null))).toBeUndefined();
  });

  it("rejects HS512 and HS384 signed with the right key", () => {
    for (const algorithm of ["HS384", "HS512"] as const) {
      const token = jwt.sign({ sub: "user-1", iss: "auth101" }, SECRET, { algorithm, expiresIn: 60 });
      expect(subjectOf(issuer, token)).toBeUndefined();
    }
  });

  it("rejects RS256 (algorithm confusion) and a token signed with another secret", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(
      subjectOf(issuer, jwt.sign({ sub: "user-1", iss: "auth101" }, privateKey, { algorithm: "RS256", expiresIn: 60 })),
    ).toBeUndefined();
    expect(subjectOf(issuer, handMade({ alg: "HS256" }, validClaims(), `${SECRET}-other`))).toBeUndefined();
  });

  it("rejects a tampered payload", () => {
    const [header, , signature] = tokenOf(issuer, "user-1").split(".");
    const forged = `${header}.${base64url({ ...validClaims(), sub: "admin" })}.${signature}`;
    expect(subjectOf(issuer, forged)).toBeUndefined();
  });

  it.each([
    ["no exp", { exp: undefined }],
    ["no iat", { iat: undefined }],
    ["a string exp", { exp: String(now() + 60) }],
    ["no sub", { sub: undefined }],
    ["an empty sub", { sub: "" }],
    ["a numeric sub", { sub: 42 }],
    ["no jti", { jti: undefined }],
    ["a jti that is not a session id", { jti: "x" }],
    ["an upper-case jti", { jti: randomUUID().toUpperCase() }],
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
    const token = tokenOf(issuer, "user-1");
    vi.setSystemTime(new Date("2026-01-01T00:59:59Z"));
    expect(subjectOf(issuer, token)).toBe("user-1");
    vi.setSystemTime(new Date("2026-01-01T01:00:00Z"));
    expect(subjectOf(issuer, token)).toBeUndefined();
  });

  it("checks the configured issuer", () => {
    const custom = new TokenIssuer({ secrets: [SECRET], issuer: "my-app", lifetimeSeconds: 60 });
    expect(subjectOf(custom, tokenOf(custom, "u"))).toBe("u");
    expect(subjectOf(issuer, tokenOf(custom, "u"))).toBeUndefined();
  });

  it.each(["", "garbage", "a.b.c", "....", "x".repeat(5000), `${"eyJ".repeat(2000)}.x.y`])(
    "rejects junk %#",
    (junk) => {
      expect(subjectOf(issuer, junk)).toBeUndefined();
    },
  );

  describe("verified-token cache", () => {
    it("answers a token seen before without verifying its signature again, until it expires", () => {
      vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
      const cached = new TokenIssuer({ secrets: [SECRET], issuer: "auth101", lifetimeSeconds: 60 });
      const token = tokenOf(cached, "user-1");
      const verifySpy = vi.spyOn(jwt, "verify");
      try {
        expect(subjectOf(cached, token)).toBe("user-1");
        expect(subjectOf(cached, token)).toBe("user-1");
        expect(subjectOf(cached, token)).toBe("user-1");
        expect(verifySpy).toHaveBeenCalledTimes(1);
        vi.setSystemTime(new Date("2026-01-01T00:01:00Z"));
        expect(subjectOf(cached, token)).toBeUndefined();
        expect(subjectOf(cached, token)).toBeUndefined();
      } finally {
        verifySpy.mockRestore();
      }
    });

    it("never remembers a token that failed a check", () => {
      const cached = new TokenIssuer({ secrets: [SECRET], issuer: "auth101", lifetimeSeconds: 60 });
      const forged = handMade({ alg: "HS256" }, validClaims(), `${SECRET}-other`);
      const verifySpy = vi.spyOn(jwt, "verify");
      try {
        expect(subjectOf(cached, forged)).toBeUndefined();
        expect(subjectOf(cached, forged)).toBeUndefined();
        expect(verifySpy).toHaveBeenCalledTimes(2);
      } finally {
        verifySpy.mockRestore();
      }
    });

    it("lets no token ride on a remembered token's signature: another header or payload is verified in full", () => {
      const cached = new TokenIssuer({ secrets: [SECRET], issuer: "auth101", lifetimeSeconds: 60 });
      const token = tokenOf(cached, "user-1");
      expect(subjectOf(cached, token)).toBe("user-1");
      const [header, payload, signature] = token.split(".") as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
      const otherPayload = Buffer.from(JSON.stringify({ ...claims, sub: "user-2" })).toString("base64url");
      const verifySpy = vi.spyOn(jwt, "verify");
      try {
        expect(subjectOf(cached, `${header}.${otherPayload}.${signature}`)).toBeUndefined();
        expect(subjectOf(cached, `${header}x.${payload}.${signature}`)).toBeUndefined();
        expect(subjectOf(cached, signature)).toBeUndefined();
        expect(verifySpy).toHaveBeenCalledTimes(1);
        // The real token is still remembered, and still answers.
        expect(subjectOf(cached, token)).toBe("user-1");
        expect(verifySpy).toHaveBeenCalledTimes(1);
      } finally {
        verifySpy.mockRestore();
      }
    });

    it("keeps two tokens that share a cache key apart: each answers its own user, verified again when the other took its place", () => {
      const cached = new TokenIssuer({ secrets: [SECRET], issuer: "auth101", lifetimeSeconds: 60 });
      const byKey = new Map<number, string>();
      let pair: [string, string] | undefined;
      // 24 bits of key: a shared one turns up after about 5,000 tokens.
      for (let i = 0; pair === undefined && i < 200_000; i++) {
        const token = tokenOf(cached, `user-${i}`);
        const earlier = byKey.get(cacheKeyOf(token));
        if (earlier !== undefined) pair = [earlier, token];
        byKey.set(cacheKeyOf(token), token);
      }
      if (pair === undefined) throw new Error("no two tokens shared a cache key");
      const [first, second] = pair;
      const userOf = (token: string): string =>
        JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString("utf8")).sub;
      const verifySpy = vi.spyOn(jwt, "verify");
      try {
        expect(subjectOf(cached, first)).toBe(userOf(first));
        expect(subjectOf(cached, first)).toBe(userOf(first));
        expect(verifySpy).toHaveBeenCalledTimes(1);
        expect(subjectOf(cached, second)).toBe(userOf(second));
        expect(subjectOf(cached, first)).toBe(userOf(first));
        expect(verifySpy).toHaveBeenCalledTimes(3);
        expect(userOf(first)).not.toBe(userOf(second));
      } finally {
        verifySpy.mockRestore();
      }
    });

    it("stays bounded: at most 10,000 tokens, the oldest verified afresh once newer ones took their places", () => {
      const cached = new TokenIssuer({ secrets: [SECRET], issuer: "auth101", lifetimeSeconds: 60 });
      // A hundred more than fit: a few pairs share a cache key (see above), and take one place each.
      const tokens = Array.from({ length: 10_100 }, (_, i) => tokenOf(cached, `user-${i}`));
      for (const token of tokens) cached.verify(token);
      expect(cached.cachedTokens).toBe(10_000);
      const verifySpy = vi.spyOn(jwt, "verify");
      try {
        expect(subjectOf(cached, tokens[10_099] as string)).toBe("user-10099");
        expect(verifySpy).toHaveBeenCalledTimes(0);
        expect(subjectOf(cached, tokens[0] as string)).toBe("user-0");
        expect(verifySpy).toHaveBeenCalledTimes(1);
      } finally {
        verifySpy.mockRestore();
      }
    });
  });

  describe("secret rotation", () => {
    const SECRET_A = "A-secret-signed-before-rotation-0123456789";
    const SECRET_B = "B-secret-that-signs-after-rotation-987654";
    const issuerOf = (...secrets: [string, ...string[]]): TokenIssuer =>
      new TokenIssuer({ secrets, issuer: "auth101", lifetimeSeconds: 3600 });
    const kidOf = (token: string): unknown => jwt.decode(token, { complete: true })?.header.kid;

    it("names a secret by the first 16 base64url characters of SHA-256 over a label and the secret, never the secret", () => {
      const expected = createHash("sha256")
        .update("auth101 HS256 key id v1\0")
        .update(SECRET_A)
        .digest("base64url")
        .slice(0, 16);
      expect(keyIdOf(SECRET_A)).toBe(expected);
      expect(keyIdOf(SECRET_A)).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(keyIdOf(SECRET_B)).not.toBe(keyIdOf(SECRET_A));
      const token = tokenOf(issuerOf(SECRET_A), "user-1");
      expect(token).not.toContain(SECRET_A);
      expect(token).not.toContain(Buffer.from(SECRET_A).toString("base64url").slice(0, 16));
    });

    it("signs with the first secret and verifies with every one: no token is lost by adding a secret", () => {
      const tokenA = tokenOf(issuerOf(SECRET_A), "user-a");
      const rotated = issuerOf(SECRET_B, SECRET_A);
      const tokenB = tokenOf(rotated, "user-b");
      expect(kidOf(tokenA)).toBe(keyIdOf(SECRET_A));
      expect(kidOf(tokenB)).toBe(keyIdOf(SECRET_B));
      expect(subjectOf(rotated, tokenA)).toBe("user-a");
      expect(subjectOf(rotated, tokenB)).toBe("user-b");
      expect(subjectOf(issuerOf(SECRET_B), tokenB)).toBe("user-b");
    });

    it("ends the tokens of a dropped secret, even those the issuer before it had verified and remembered", () => {
      const tokenA = tokenOf(issuerOf(SECRET_A), "user-a");
      const rotated = issuerOf(SECRET_B, SECRET_A);
      expect(subjectOf(rotated, tokenA)).toBe("user-a");
      expect(rotated.cachedTokens).toBe(1);
      const dropped = issuerOf(SECRET_B);
      expect(subjectOf(dropped, tokenA)).toBeUndefined();
      expect(subjectOf(dropped, tokenOf(rotated, "user-b"))).toBe("user-b");
    });

    it("verifies with the one key the kid names: one signature check whatever the number of secrets", () => {
      const many = issuerOf(SECRET_B, SECRET_A, `${SECRET}-3`, `${SECRET}-4`);
      const tokenA = tokenOf(issuerOf(SECRET_A), "user-a");
      const verifySpy = vi.spyOn(jwt, "verify");
      try {
        expect(subjectOf(many, tokenA)).toBe("user-a");
        expect(verifySpy).toHaveBeenCalledTimes(1);
      } finally {
        verifySpy.mockRestore();
      }
    });

    it.each([
      ["an unknown kid", "AAAAAAAAAAAAAAAA"],
      ["the kid of a secret not configured", keyIdOf(`${SECRET}-elsewhere`)],
      ["the kid of the other configured secret", keyIdOf(SECRET_B)],
      ["the secret itself as kid", SECRET_A],
      ["an empty kid", ""],
      ["a numeric kid", 7],
      ["a null kid", null],
      ["a kid that is a list", [keyIdOf(SECRET_A)]],
    ])("refuses a token signed with either configured secret whose header carries %s", (_, kid) => {
      const rotated = issuerOf(SECRET_B, SECRET_A);
      const signedByA = handMade({ alg: "HS256", typ: "JWT", kid }, validClaims(), SECRET_A);
      expect(subjectOf(rotated, signedByA)).toBeUndefined();
      if (kid !== keyIdOf(SECRET_B)) {
        const signedByB = handMade({ alg: "HS256", typ: "JWT", kid }, validClaims(), SECRET_B);
        expect(subjectOf(rotated, signedByB)).toBeUndefined();
      }
      expect(rotated.cachedTokens).toBe(0);
    });

    it("accepts a hand-made token with the right kid, to show the checks above are what reject", () => {
      const token = handMade({ alg: "HS256", typ: "JWT", kid: keyIdOf(SECRET_A) }, validClaims(), SECRET_A);
      expect(subjectOf(issuerOf(SECRET_B, SECRET_A), token)).toBe("user-1");
    });

    it("checks a token without kid (signed before rotation existed) against the first secret only", () => {
      const legacyA = handMade({ alg: "HS256", typ: "JWT" }, validClaims(), SECRET_A);
      expect(subjectOf(issuerOf(SECRET_A), legacyA)).toBe("user-1");
      expect(subjectOf(issuerOf(SECRET_A, SECRET_B), legacyA)).toBe("user-1");
      expect(subjectOf(issuerOf(SECRET_B, SECRET_A), legacyA)).toBeUndefined();
    });

    it("refuses two secrets with one key id (the options refuse duplicates before this)", () => {
      expect(() => issuerOf(SECRET_A, SECRET_A)).toThrow(/list each secret once/);
    });
  });
});
