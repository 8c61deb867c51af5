import { describe, expect, it } from "vitest";
import { isUniqueViolation } from "./unique-violation.js";

// The shapes below are what the three Prisma 7 driver adapters actually produced for a
// duplicate insert (recorded from the real databases); the database tests cover them live.
const p2002 = (cause: object): object => ({
  name: "PrismaClientKnownRequestError",
  code: "P2002",
  meta: { modelName: "Auth101User", driverAdapterError: { name: "DriverAdapterError", cause } },
});

describe("isUniqueViolation", () => {
  it("recognizes P2002 on the email index from each adapter", () => {
    expect(
      isUniqueViolation(p2002({ kind: "UniqueConstraintViolation", constraint: { index: "auth_users_email_key" } })),
    ).toBe(true);
    expect(isUniqueViolation(p2002({ kind: "UniqueConstraintViolation", constraint: { fields: ["email"] } }))).toBe(
      true,
    );
  });

  it("recognizes P2002 from older engines (meta.target) and without details", () => {
    expect(isUniqueViolation({ code: "P2002", meta: { target: ["email"] } })).toBe(true);
    expect(isUniqueViolation({ code: "P2002", meta: { target: "auth_users_email_key" } })).toBe(true);
    expect(isUniqueViolation({ code: "P2002" })).toBe(true);
  });

  it("recognizes an unwrapped adapter error and the drivers' own codes", () => {
    expect(
      isUniqueViolation({
        name: "DriverAdapterError",
        cause: { kind: "UniqueConstraintViolation", constraint: { fields: ["email"] } },
      }),
    ).toBe(true);
    expect(isUniqueViolation({ code: "23505", constraint: "auth_users_email_key" })).toBe(true);
    expect(isUniqueViolation({ errno: 1062 })).toBe(true);
    expect(isUniqueViolation({ rawCode: 2067 })).toBe(true);
    expect(isUniqueViolation(new Error("wrapped", { cause: { code: "P2002" } }))).toBe(true);
  });

  it("does not call a primary-key collision a taken email", () => {
    expect(
      isUniqueViolation(p2002({ kind: "UniqueConstraintViolation", constraint: { index: "auth_users_pkey" } })),
    ).toBe(false);
    expect(isUniqueViolation(p2002({ kind: "UniqueConstraintViolation", constraint: { index: "PRIMARY" } }))).toBe(
      false,
    );
    expect(isUniqueViolation(p2002({ kind: "UniqueConstraintViolation", constraint: { fields: ["id"] } }))).toBe(false);
  });

  it("leaves every other error alone", () => {
    expect(
      isUniqueViolation({ code: "P1001", meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } } }),
    ).toBe(false);
    expect(isUniqueViolation({ code: "P2039" })).toBe(false);
    expect(isUniqueViolation(new Error("connect ECONNREFUSED"))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation("P2002")).toBe(false);
  });
});
