import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bearerToken } from "./bearer.js";

describe("bearerToken", () => {
  it.each([
    ["Bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"],
    ["bearer abc", "abc"],
    ["BEARER abc", "abc"],
    ["BeArEr   abc", "abc"],
    ["Bearer abc  ", "abc"],
    ["Bearer abc+/~==", "abc+/~=="],
  ])("reads %j", (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([[undefined], [""], ["Basic dXNlcjpwdw=="], ["Bearer"], ["Bearer    "], ["Bearerabc"], ["Token abc"]])(
    "finds no token in %j",
    (header) => {
      expect(bearerToken(header)).toBeUndefined();
    },
  );

  it.each([["Bearer a b"], ["Bearer a,b"], ["Bearer =abc"], ["Bearer ä"]])(
    "marks %j as a present but invalid token",
    (header) => {
      expect(bearerToken(header)).toBe("");
    },
  );

  it("reads every header as RFC 6750's grammar, written as one regular expression, does", () => {
    const grammar = (authorization: string): string | undefined => {
      const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
      if (match) return match[1];
      return /^Bearer +\S/i.test(authorization) ? "" : undefined;
    };
    const pieces = fc.constantFrom(
      "Bearer",
      "bearer",
      "BEARER",
      " ",
      "  ",
      "\t",
      "=",
      "abc",
      "a.b-c_d~e+f/g",
      ",",
      "ä",
      "\u00a0",
      "",
    );
    const headers = fc.oneof(
      fc.array(pieces, { maxLength: 8 }).map((parts) => parts.join("")),
      fc.string(),
    );
    fc.assert(
      fc.property(headers, (header) => {
        expect(bearerToken(header)).toBe(grammar(header));
      }),
      { numRuns: 2000 },
    );
  });
});
