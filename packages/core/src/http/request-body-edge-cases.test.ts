import { describe, expect, it } from "vitest";
import { bodyFromParserError } from "../node/body-parser-errors.js";
import { isJsonContentType, MAX_BODY_BYTES, parsedBody, readJsonBody } from "./request-body.js";

// Cases the cross-framework conformance run found answered differently with and without a
// body parser (Express's express.json(), Nest's built-in one) in front of the endpoints.

async function* chunksOf(...parts: (string | Uint8Array)[]): AsyncIterable<Uint8Array | string> {
  yield* parts;
}

describe("charset of a JSON body", () => {
  it.each([
    "application/json; charset=utf-8",
    "application/json;charset=UTF8",
    'application/json; charset="utf-8"',
    "application/json; foo=bar",
  ])("reads %s", (contentType) => {
    expect(isJsonContentType(contentType)).toBe(true);
  });

  it.each([
    "application/json; charset=latin1",
    "application/json; charset=utf-16",
    "application/json; foo=bar; charset=iso-8859-1",
  ])("refuses %s as an unsupported media type, as body parsers do", async (contentType) => {
    expect(isJsonContentType(contentType)).toBe(false);
    expect(await readJsonBody({ contentType, contentLength: "2", chunks: chunksOf("{}") })).toEqual({
      kind: "invalid",
      reason: "unsupported-media-type",
    });
    expect(parsedBody({}, contentType)).toEqual({ kind: "invalid", reason: "unsupported-media-type" });
  });
});

describe("byte order mark", () => {
  it("ignores a leading UTF-8 byte order mark, as body parsers do", async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"email":"a@b.c"}')]);
    expect(
      await readJsonBody({ contentType: "application/json", contentLength: undefined, chunks: chunksOf(withBom) }),
    ).toEqual({
      kind: "json",
      value: { email: "a@b.c" },
    });
    expect(parsedBody('\uFEFF{"a":1}', "application/json")).toEqual({ kind: "json", value: { a: 1 } });
  });

  it("still refuses a byte order mark anywhere else", () => {
    expect(parsedBody('{"a":1}\uFEFF', "application/json")).toEqual({ kind: "invalid", reason: "malformed" });
    expect(parsedBody("\uFEFF\uFEFF{}", "application/json")).toEqual({ kind: "invalid", reason: "malformed" });
  });
});

describe("a body an earlier parser already parsed", () => {
  it("is too large when even its compact JSON is over the limit", () => {
    const value = { email: "a@b.c", padding: "x".repeat(MAX_BODY_BYTES) };
    expect(parsedBody(value, "application/json")).toEqual({ kind: "invalid", reason: "too-large" });
  });

  it("is read when its compact JSON fits", () => {
    const value = { email: "a@b.c", padding: "x".repeat(MAX_BODY_BYTES - 100) };
    expect(parsedBody(value, "application/json")).toEqual({ kind: "json", value });
    expect(parsedBody(undefined, "application/json")).toEqual({ kind: "json", value: undefined });
  });
});

describe("content coding", () => {
  it.each(["gzip", "br", "deflate", "x-unknown", "identity, gzip"])(
    "refuses Content-Encoding %s as an unsupported media type",
    async (contentEncoding) => {
      expect(
        await readJsonBody({
          contentType: "application/json",
          contentLength: "2",
          contentEncoding,
          chunks: chunksOf("{}"),
        }),
      ).toEqual({
        kind: "invalid",
        reason: "unsupported-media-type",
      });
      // Also when a parser already inflated it: the answer must not depend on the parser.
      expect(parsedBody({}, "application/json", { contentLength: "20", contentEncoding })).toEqual({
        kind: "invalid",
        reason: "unsupported-media-type",
      });
    },
  );

  it.each([undefined, "identity", "IDENTITY", ""])("reads a body with Content-Encoding %j", async (contentEncoding) => {
    expect(
      await readJsonBody({
        contentType: "application/json",
        contentLength: "2",
        contentEncoding,
        chunks: chunksOf("{}"),
      }),
    ).toEqual({ kind: "json", value: {} });
  });

  it("checks the declared size before the coding", async () => {
    const headers = {
      contentType: "application/json",
      contentLength: String(MAX_BODY_BYTES + 1),
      contentEncoding: "gzip",
    };
    expect(await readJsonBody({ ...headers, chunks: chunksOf() })).toEqual({ kind: "invalid", reason: "too-large" });
  });
});

describe("parsedBody with the request's headers", () => {
  it("reports an empty body a parser turned into {} as malformed, as readJsonBody does", () => {
    expect(parsedBody({}, "application/json", { contentLength: "0" })).toEqual({
      kind: "invalid",
      reason: "malformed",
    });
  });

  it("applies the declared size limit", () => {
    expect(parsedBody({}, "application/json", { contentLength: String(MAX_BODY_BYTES + 1) })).toEqual({
      kind: "invalid",
      reason: "too-large",
    });
  });
});

describe("bodyFromParserError", () => {
  const json = { contentType: "application/json", contentLength: "40" };
  const parserError = (status: number, type: string | undefined, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error("refused"), {
      status,
      statusCode: status,
      expose: true,
      ...(type === undefined ? {} : { type }),
      ...extra,
    });

  it("turns body-parser's refusals into the core's", () => {
    expect(bodyFromParserError(parserError(400, "entity.parse.failed", { body: "{" }), json)).toEqual({
      kind: "invalid",
      reason: "malformed",
    });
    expect(bodyFromParserError(parserError(413, "entity.too.large"), { ...json, contentLength: undefined })).toEqual({
      kind: "invalid",
      reason: "too-large",
    });
    expect(bodyFromParserError(parserError(415, "charset.unsupported"), json)).toEqual({
      kind: "invalid",
      reason: "unsupported-media-type",
    });
    expect(bodyFromParserError(parserError(400, "request.aborted"), json)).toEqual({
      kind: "invalid",
      reason: "malformed",
    });
  });

  it("reads the text of valid JSON that a strict parser refused, so the core judges it", () => {
    expect(bodyFromParserError(parserError(400, "entity.parse.failed", { body: '"ada"' }), json)).toEqual({
      kind: "json",
      value: "ada",
    });
    expect(bodyFromParserError(parserError(400, "entity.parse.failed", { body: "\uFEFFnull" }), json)).toEqual({
      kind: "json",
      value: null,
    });
  });

  it("checks the headers first, in the core's order", () => {
    const tooLarge = { ...json, contentLength: String(MAX_BODY_BYTES + 1) };
    expect(bodyFromParserError(parserError(400, "entity.parse.failed", { body: "{" }), tooLarge)).toEqual({
      kind: "invalid",
      reason: "too-large",
    });
    expect(
      bodyFromParserError(parserError(400, "entity.parse.failed", { body: "{" }), {
        ...json,
        contentType: "application/json; charset=utf-16",
      }),
    ).toEqual({
      kind: "invalid",
      reason: "unsupported-media-type",
    });
  });

  it("answers a failed decompression (an error without a type) by the content coding", () => {
    const zlibError = parserError(400, undefined, { code: "Z_DATA_ERROR", errno: -3 });
    expect(bodyFromParserError(zlibError, { ...json, contentEncoding: "gzip" })).toEqual({
      kind: "invalid",
      reason: "unsupported-media-type",
    });
    expect(bodyFromParserError(zlibError, json)).toBeUndefined();
  });

  it("leaves errors that are not a body parser's refusal to the app", () => {
    expect(bodyFromParserError(parserError(403, "entity.verify.failed"), json)).toBeUndefined();
    expect(bodyFromParserError(parserError(403, "csrf"), json)).toBeUndefined();
    expect(bodyFromParserError(new Error("boom"), json)).toBeUndefined();
    expect(bodyFromParserError(parserError(500, "entity.parse.failed"), json)).toBeUndefined();
    expect(bodyFromParserError("entity.parse.failed", json)).toBeUndefined();
  });
});
