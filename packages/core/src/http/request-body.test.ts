import { describe, expect, it } from "vitest";
import { isJsonContentType, MAX_BODY_BYTES, parsedBody, readJsonBody } from "./request-body.js";

async function* chunksOf(...parts: (string | Uint8Array)[]): AsyncIterable<Uint8Array | string> {
  yield* parts;
}
const source = (contentType: string | undefined, ...parts: (string | Uint8Array)[]) => ({
  contentType,
  contentLength: undefined,
  chunks: chunksOf(...parts),
});

describe("readJsonBody", () => {
  it("parses JSON across chunks, including multi-byte characters split between them", async () => {
    const bytes = Buffer.from('{"email":"zoë@example.com"}');
    const split = bytes.indexOf(0xc3) + 1;
    expect(await readJsonBody(source("application/json", bytes.subarray(0, split), bytes.subarray(split)))).toEqual({
      kind: "json",
      value: { email: "zoë@example.com" },
    });
  });

  it.each(["application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.api+json"])(
    "accepts %s",
    async (type) => {
      expect(await readJsonBody(source(type, "{}"))).toEqual({ kind: "json", value: {} });
    },
  );

  it.each([
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonx",
    "json",
  ])("refuses %s as an unsupported media type", async (type) => {
    expect(await readJsonBody(source(type, "{}"))).toEqual({ kind: "invalid", reason: "unsupported-media-type" });
  });

  it("treats a body without a content type as unsupported, and an empty one as malformed", async () => {
    expect(await readJsonBody({ contentType: undefined, contentLength: "2", chunks: chunksOf("{}") })).toEqual({
      kind: "invalid",
      reason: "unsupported-media-type",
    });
    expect(await readJsonBody({ contentType: undefined, contentLength: "0", chunks: chunksOf() })).toEqual({
      kind: "invalid",
      reason: "malformed",
    });
    expect(await readJsonBody(source("application/json"))).toEqual({ kind: "invalid", reason: "malformed" });
  });

  it.each(["{", "{'a':1}", "undefined", "\u0000"])("reports %j as malformed", async (text) => {
    expect(await readJsonBody(source("application/json", text))).toEqual({ kind: "invalid", reason: "malformed" });
  });

  it("refuses a declared length over the limit without reading", async () => {
    let read = false;
    const chunks = (async function* () {
      read = true;
      yield "{}";
    })();
    expect(
      await readJsonBody({ contentType: "application/json", contentLength: String(MAX_BODY_BYTES + 1), chunks }),
    ).toEqual({
      kind: "invalid",
      reason: "too-large",
    });
    expect(read).toBe(false);
  });

  it("stops reading a streamed body once it passes the limit", async () => {
    let chunksRead = 0;
    const chunks = (async function* () {
      for (let i = 0; i < 1000; i++) {
        chunksRead++;
        yield "x".repeat(1024);
      }
    })();
    expect(await readJsonBody({ contentType: "application/json", contentLength: undefined, chunks })).toEqual({
      kind: "invalid",
      reason: "too-large",
    });
    expect(chunksRead).toBe(65);
  });

  it("accepts a body of exactly the limit", async () => {
    const body = JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES - 10) });
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect(await readJsonBody(source("application/json", body))).toMatchObject({ kind: "json" });
  });
});

describe("parsedBody", () => {
  it("takes an object some body parser produced", () => {
    expect(parsedBody({ email: "a@b.c" }, "application/json")).toEqual({ kind: "json", value: { email: "a@b.c" } });
  });

  it("parses text or bytes a raw or text parser left", () => {
    expect(parsedBody('{"a":1}', "application/json")).toEqual({ kind: "json", value: { a: 1 } });
    expect(parsedBody(Buffer.from('{"a":1}'), "application/json")).toEqual({ kind: "json", value: { a: 1 } });
    expect(parsedBody("{", "application/json")).toEqual({ kind: "invalid", reason: "malformed" });
    expect(parsedBody("x".repeat(MAX_BODY_BYTES + 1), "application/json")).toEqual({
      kind: "invalid",
      reason: "too-large",
    });
  });

  it("refuses what a form or text parser parsed", () => {
    expect(parsedBody({ email: "a@b.c" }, "application/x-www-form-urlencoded")).toEqual({
      kind: "invalid",
      reason: "unsupported-media-type",
    });
  });
});

describe("isJsonContentType", () => {
  it("ignores parameters and case", () => {
    expect(isJsonContentType("Application/JSON ; charset=UTF-8")).toBe(true);
    expect(isJsonContentType(undefined)).toBe(false);
  });
});
