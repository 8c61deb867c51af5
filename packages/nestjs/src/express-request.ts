import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthHttpResponse, RequestBody } from "@auth101/core";
import { readJsonBody } from "@auth101/core";

/**
 * The parts of an Express request the endpoints read. Declared here so that the package
 * needs no runtime (or type) dependency on express itself.
 */
export interface ExpressRequest extends IncomingMessage {
  /** The path below the mount point, without the query string. */
  readonly path: string;
  /** The client's address as Express resolved it (honouring `trust proxy`). */
  readonly ip?: string | undefined;
  /** What a body parser that ran before (Nest's built-in `express.json()`) made of the body. */
  readonly body?: unknown;
  /** The bytes Nest keeps when the app is created with `{ rawBody: true }`. */
  readonly rawBody?: unknown;
}

export type NextFunction = (error?: unknown) => void;

/**
 * A body-parser failure (an `http-errors` error with one of body-parser's `type`s). Nest's
 * built-in parsers raise these before any middleware of ours runs.
 */
export interface BodyParserFailure {
  readonly status: number;
  /** The body text, for a body that was read but is not valid JSON. */
  readonly body: string | undefined;
}

const BODY_PARSER_ERROR_TYPES = new Set([
  "entity.parse.failed",
  "entity.too.large",
  "entity.verify.failed",
  "charset.unsupported",
  "encoding.unsupported",
  "request.aborted",
  "request.size.invalid",
  "stream.encoding.set",
  "stream.not.readable",
  "parameters.too.many",
]);

export function bodyParserFailureOf(error: unknown): BodyParserFailure | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { type, status, body } = error as { type?: unknown; status?: unknown; body?: unknown };
  if (typeof type !== "string" || !BODY_PARSER_ERROR_TYPES.has(type) || typeof status !== "number") return undefined;
  return { status, body: type === "entity.parse.failed" && typeof body === "string" ? body : undefined };
}

/**
 * Reads the body the way the core reads a raw request, whatever Nest's body parser did
 * before: the raw stream when nothing consumed it, otherwise the bytes the parser left
 * behind, replayed through the same `readJsonBody` so that the checks run in the same order
 * (size, content type, emptiness, JSON syntax) and give the same answers.
 */
export function readRequestBody(request: ExpressRequest, parserFailure?: BodyParserFailure): Promise<RequestBody> {
  const contentType = request.headers["content-type"];
  const contentLength = request.headers["content-length"];
  const read = (chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): Promise<RequestBody> =>
    readJsonBody({ contentType, contentLength, chunks: toAsyncIterable(chunks) });

  // Stopping early (over the limit) must not destroy the request, as ending a `for await` over
  // it would: the socket goes with it and a keep-alive client waits forever. The rest of the
  // body is drained after the answer (see `drainRequest`).
  if (!request.readableEnded) return read(request.iterator({ destroyOnReturn: false }));
  if (parserFailure !== undefined) {
    if (parserFailure.body !== undefined) return read([parserFailure.body]);
    if (parserFailure.status === 413) return Promise.resolve({ kind: "invalid", reason: "too-large" });
    return Promise.resolve({ kind: "invalid", reason: "malformed" });
  }
  if (request.rawBody instanceof Uint8Array) return read([request.rawBody]);
  // A parser read the body and kept only what it parsed. `express.json()` turns an empty body
  // into `{}`: the declared length tells that case apart.
  if (contentLength === "0" || request.body === undefined) return read([]);
  const { body } = request;
  // Without `Content-Length` (chunked), the original size is gone; the compact re-serialization
  // is never larger than it was, so a body over the limit here was over it on the wire too.
  return read([typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body)]);
}

async function* toAsyncIterable(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncIterable<Uint8Array | string> {
  yield* chunks;
}

/** Discards what is left of a body the core stopped reading, so the connection can be reused. */
export function drainRequest(request: IncomingMessage): void {
  if (!request.readableEnded) request.resume();
}

/** Writes the core's answer as is: status, headers, `JSON.stringify(body)`. */
export function writeAuthHttpResponse(response: ServerResponse, answer: AuthHttpResponse): void {
  response.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  response.end(JSON.stringify(answer.body));
}
