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

  it.each([
    ["Bearer a b", "a b"],
    ["Bearer a,b", "a,b"],
    ["Bearer =abc", "=abc"],
    ["Bearer ä", "ä"],
    ["Bearer abc\t", "abc\t"],
  ])("hands on the credentials of %j as sent, for the token check to refuse", (header, credentials) => {
    expect(bearerToken(header)).toBe(credentials);
  });

  it("reads every header as one regular expression of the same rules does", () => {
    const grammar = (authorization: string): string | undefined => /^Bearer +(\S[\s\S]*?) *$/i.exec(authorization)?.[1];
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
