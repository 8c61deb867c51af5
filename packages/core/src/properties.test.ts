import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Auth101 } from "./auth101.js";
import { ERROR_CODES } from "./errors.js";
import type { AuthHttpRequest } from "./http/auth-http-handler.js";
import { createAuthHttpHandler, HTTP_STATUS_BY_CODE } from "./http/auth-http-handler.js";
import type { RequestBody } from "./http/request-body.js";

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";
const auth = new Auth101({ secret: SECRET, onFailure: () => {} });
const handle = createAuthHttpHandler(auth);
const RUNS = Number(process.env["AUTH101_PROPERTY_RUNS"] ?? 150);
const ALLOWED_STATUSES = new Set([200, 405, 413, 415, ...Object.values(HTTP_STATUS_BY_CODE)]);

const anyInput = fc.oneof(
  fc.anything(),
  fc.string({ unit: "binary" }),
  fc.emailAddress(),
  fc.string({ minLength: 8, maxLength: 140, unit: "grapheme" }),
);
const anyToken = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.base64String().map((s) => `${s}.${s}.${s}`),
);

function isErrorEnvelope(value: unknown): boolean {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const { error } = value as { error: unknown };
  if (typeof error !== "object" || error === null) return false;
  const { message, code } = error as Record<string, unknown>;
  return (
    typeof message === "string" && (ERROR_CODES as readonly unknown[]).includes(code) && Object.keys(error).length === 2
  );
}

describe("core methods never throw, whatever they are given", () => {
  it("signUp and signIn resolve to a result or the error envelope", async () => {
    await fc.assert(
      fc.asyncProperty(anyInput, anyInput, async (email, password) => {
        for (const method of ["signUp", "signIn"] as const) {
          const result: unknown = await (auth[method] as (e: unknown, p: unknown) => Promise<unknown>)(email, password);
          expect("token" in (result as object) || isErrorEnvelope(result)).toBe(true);
          expect(JSON.stringify(result)).not.toContain("$argon2");
        }
      }),
      { numRuns: RUNS },
    );
    // Up to two Argon2 verifications per sign-in (passwords NFKC changes are tried in both forms).
  }, 30_000);

  it("signOut, getSession and verifyToken handle any token", async () => {
    await fc.assert(
      fc.asyncProperty(anyToken, async (token) => {
        const asUntyped = token as string;
        expect(isErrorEnvelope(await auth.signOut(asUntyped))).toBe(true);
        expect(isErrorEnvelope(await auth.getSession(asUntyped))).toBe(true);
        expect(await auth.verifyToken(asUntyped)).toBeNull();
      }),
      { numRuns: RUNS * 4 },
    );
  });
});

describe("the HTTP handler answers every request inside the status table", () => {
  const body: fc.Arbitrary<RequestBody> = fc.oneof(
    fc.anything().map((value) => ({ kind: "json" as const, value })),
    fc.record({ email: anyInput, password: anyInput }).map((value) => ({ kind: "json" as const, value })),
    fc
      .constantFrom("malformed", "unsupported-media-type", "too-large")
      .map((reason) => ({ kind: "invalid" as const, reason })),
  );
  const httpRequest: fc.Arbitrary<AuthHttpRequest> = fc
    .record({
      method: fc.oneof(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "post"),
        fc.string(),
      ),
      path: fc.oneof(fc.constantFrom("/sign-up/email", "/sign-in/email", "/sign-out", "/session"), fc.string()),
      authorization: fc.option(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `Bearer ${s}`),
        ),
        { nil: undefined },
      ),
      readBody: body.map((value) => async () => value),
    })
    .map(({ authorization, ...rest }) => ({
      ...rest,
      header: (name: string) => (name === "authorization" ? authorization : undefined),
    }));

  it("with a status from the table, JSON headers and the error envelope on failure", async () => {
    await fc.assert(
      fc.asyncProperty(httpRequest, async (request) => {
        const response = await handle(request);
        if (response === undefined) return;
        expect(ALLOWED_STATUSES.has(response.status)).toBe(true);
        expect(response.status).not.toBe(500);
        expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
        if (response.status !== 200) expect(isErrorEnvelope(response.body)).toBe(true);
        if (response.status === 401) expect(response.headers["www-authenticate"]).toMatch(/^Bearer /);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
