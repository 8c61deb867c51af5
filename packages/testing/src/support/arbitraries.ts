// The fuzzer's generators: bodies, headers, tokens and claims around the valid ones.
import type * as FastCheck from "fast-check";
import { GOOD_PASSWORD } from "./fixtures.js";
import type { TokenClaims } from "./tokens.js";
import { ISSUER } from "./tokens.js";

export type Fc = typeof FastCheck;
type Arbitrary<T> = FastCheck.Arbitrary<T>;

/** Characters that make emails and passwords interesting: case folding, compatibility forms, invisible and wide ones. */
const ODD_CHARACTERS = [
  "İ",
  "ı",
  "ß",
  "ẞ",
  "ﬁ",
  "K",
  "Å",
  "ǅ",
  "ͅ",
  "ς",
  "Ω",
  "①",
  "ｆ",
  "é",
  "é",
  "\u0301",
  "\u200B",
  "\u200D",
  "\u00A0",
  "\u3000",
  "\u2028",
  "\uFEFF",
  "\u0000",
  "\u001F",
  "\u007F",
  "😀",
  "👩‍💻",
  "🇫🇷",
  "\uD800",
  "\uDFFF",
  "@",
  ".",
  " ",
  "\t",
  '"',
  "\\",
];

function oddCharacter(fc: Fc): Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(..."abcXYZ019._+-") },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_CHARACTERS) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  );
}

export function oddEmails(fc: Fc): Arbitrary<string> {
  const part = (maxLength: number): Arbitrary<string> => fc.string({ unit: oddCharacter(fc), minLength: 1, maxLength });
  return fc
    .tuple(
      part(16),
      part(16),
      fc.option(fc.constantFrom(".com", ".example", ".中国", ".ДОМ"), { nil: "" }),
      fc.constantFrom("", " ", "\t"),
    )
    .map(([local, domain, tld, padding]) => `${padding}${local}@${domain}${tld}${padding}`);
}

export function oddPasswords(fc: Fc): Arbitrary<string> {
  return fc.string({ unit: oddCharacter(fc), minLength: 8, maxLength: 40 });
}

export function jsonBodies(fc: Fc): Arbitrary<unknown> {
  return fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.jsonValue({ maxDepth: 2, stringUnit: "binary" }),
    credentialObjects(fc),
  );
}

/** Objects with email and password fields of any type (mostly not both valid: no hashing). */
export function credentialObjects(fc: Fc): Arbitrary<unknown> {
  const field = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.constantFrom("", " ", "a@b", "@", "a@b.c"),
  );
  return fc
    .tuple(
      fc.record({ email: field, password: field }, { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    )
    .map(([credentials, extra]) => ({ ...extra, ...credentials }));
}

export function rawBodies(fc: Fc): Arbitrary<string | Uint8Array> {
  const valid = JSON.stringify({ email: "not-an-email", password: GOOD_PASSWORD });
  return fc.oneof(
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.string({ unit: "binary-ascii", maxLength: 200 }),
    fc.uint8Array({ maxLength: 512 }),
    fc.nat({ max: valid.length }).map((cut) => valid.slice(0, cut)),
    fc
      .tuple(fc.nat({ max: valid.length }), fc.string({ maxLength: 4 }))
      .map(([at, insert]) => valid.slice(0, at) + insert + valid.slice(at)),
    fc.constantFrom("", " ", "null", "[]", "{}", '""', "0", "-0", "1e999", '{"__proto__":{"x":1}}', "\uFEFF{}"),
  );
}

export function contentTypes(fc: Fc): Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constantFrom(
      undefined,
      "application/json",
      "application/json; charset=utf-8",
      "application/json; charset=latin1",
      "application/problem+json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ),
    headerValue(fc),
  );
}

/** Any value Node lets a client put in a header: tab, printable ASCII and Latin-1 bytes. */
export function headerValue(fc: Fc): Arbitrary<string> {
  const character = fc
    .oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
      { weight: 1, arbitrary: fc.constant(0x09) },
      { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
    )
    .map((code) => String.fromCharCode(code));
  return fc.string({ unit: character, maxLength: 120 });
}

/** An Authorization header around a token: built from the case's token once it exists. */
export interface AuthorizationCase {
  readonly description: string;
  build(token: string): string;
}

export function authorizations(fc: Fc): Arbitrary<AuthorizationCase> {
  const scheme = fc.constantFrom("Bearer", "bearer", "BEARER", "Basic", "Token", "JWT", "");
  const separator = fc.constantFrom(" ", "  ", "\t", "", " \t ");
  const edits = fc.tuple(
    fc.nat(),
    fc.constantFrom("replace", "insert", "delete", "truncate", "swap-parts"),
    fc.string({ minLength: 1, maxLength: 3 }),
  );
  const mutated = (token: string, [position, edit, text]: [number, string, string]): string => {
    const at = position % (token.length + 1);
    switch (edit) {
      case "replace":
        return token.slice(0, at) + text + token.slice(at + text.length);
      case "insert":
        return token.slice(0, at) + text + token.slice(at);
      case "delete":
        return token.slice(0, at) + token.slice(at + 1);
      case "truncate":
        return token.slice(0, at);
      default: {
        const [header = "", payload = "", signature = ""] = token.split(".");
        return [payload, header, signature].join(".");
      }
    }
  };
  // The description is what fast-check prints for a failing case.
  const fixed = (value: string): AuthorizationCase => ({ description: JSON.stringify(value), build: () => value });
  return fc.oneof(
    headerValue(fc).map(fixed),
    fc.tuple(scheme, separator, headerValue(fc)).map(([s, sep, value]) => fixed(`${s}${sep}${value}`)),
    fc.tuple(scheme, separator, edits).map(([s, sep, edit]) => ({
      description: `${JSON.stringify(`${s}${sep}`)} + the token, edited ${JSON.stringify(edit)}`,
      build: (token: string) => `${s}${sep}${mutated(token, edit)}`,
    })),
    fc.tuple(scheme, separator).map(([s, sep]) => ({
      description: `${JSON.stringify(`${s}${sep}`)} + the token`,
      build: (token: string) => `${s}${sep}${token}`,
    })),
  );
}

/** Stands for a new random session id, drawn when the case runs: session ids never repeat. */
/**
 * Which secret signs a fuzzed token and what its header's `kid` says: `signer` is the right
 * kid for the signing secret, `current` and `previous` those of the server's two secrets
 * (right or wrong depending on the signer), `absent` a token from before rotation; `forged`
 * anything else a header could hold.
 */
export interface KeyCase {
  readonly signer: "current" | "previous" | "unknown";
  readonly kid: "absent" | "signer" | "current" | "previous" | { readonly forged: unknown };
}

export function keyCases(fc: Fc): Arbitrary<KeyCase> {
  return fc.record({
    signer: fc.constantFrom("current", "current", "previous", "unknown" as const),
    kid: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom("absent", "signer", "signer", "current", "previous" as const) },
      {
        weight: 1,
        arbitrary: fc
          .oneof(
            fc.string({ maxLength: 24 }),
            fc.stringMatching(/^[A-Za-z0-9_-]{16}$/),
            fc.integer(),
            fc.constant(null),
            fc.array(fc.string({ maxLength: 16 }), { maxLength: 2 }),
            fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
          )
          .map((forged) => ({ forged })),
      },
    ),
  });
}

export const FRESH_JTI = "<a fresh session id>";

/** Claim sets around a valid one: each claim valid, missing, of the wrong type or out of range. */
export function claimSets(fc: Fc, userId: () => string): Arbitrary<TokenClaims> {
  const now = (): number => Math.floor(Date.now() / 1000);
  const time = (valid: () => number) =>
    fc
      .oneof(
        { weight: 4, arbitrary: fc.constant("valid" as const) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        // Never within a few seconds of now: the answer must not depend on when the second ticks.
        {
          weight: 1,
          arbitrary: fc
            .integer({ min: 5, max: 10 ** 10 })
            .chain((offset) => fc.constantFrom({ offset }, { offset: -offset })),
        },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }).map((value) => ({ value })) },
      )
      .map((choice) =>
        choice === "valid"
          ? valid()
          : choice === undefined
            ? undefined
            : "offset" in choice
              ? now() + choice.offset
              : choice.value,
      );
  return fc
    .record({
      sub: fc.oneof(
        { weight: 4, arbitrary: fc.constant("alice") },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
      ),
      iat: time(() => now() - 5),
      exp: time(() => now() + 3600),
      nbf: fc.option(
        time(() => now() - 5),
        { nil: undefined, freq: 3 },
      ),
      iss: fc.oneof(
        { weight: 4, arbitrary: fc.constant(ISSUER) },
        { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      jti: fc.option(
        fc.oneof(
          { weight: 4, arbitrary: fc.constant(FRESH_JTI) },
          { weight: 1, arbitrary: fc.uuid().map((uuid) => uuid.toUpperCase()) },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
        ),
        { nil: undefined, freq: 4 },
      ),
    })
    .map((claims) => {
      const withUser: Record<string, unknown> = { ...claims, sub: claims.sub === "alice" ? userId() : claims.sub };
      for (const key of Object.keys(withUser)) if (withUser[key] === undefined) delete withUser[key];
      return withUser as TokenClaims;
    });
}

/** Bodies shaped like the account-email requests, with odd values in the right fields. */
export function accountEmailBodies(fc: Fc): Arbitrary<Record<string, unknown>> {
  const value = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    fc.base64String({ minLength: 40, maxLength: 48 }).map((text) => text.replaceAll("+", "-").replaceAll("/", "_")),
    fc.emailAddress(),
    fc.constant(""),
    fc.anything(),
  );
  return fc.record(
    { email: value, token: value, current_password: value, new_password: value, revoke_other_sessions: value },
    { requiredKeys: [] },
  );
}
