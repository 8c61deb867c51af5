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
});
