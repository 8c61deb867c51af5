import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthHttpResponse, RequestBody } from "@auth101/core";
import { parsedBody, readJsonBody } from "@auth101/core";

/**
 * The parts of an Express request the endpoints read. Declared here so that the package
 * needs no runtime (or type) dependency on express itself.
 */
export interface ExpressRequest extends IncomingMessage {
  /** The path below the mount point, without the query string. */
  readonly path: string;
  /** The part of the URL the mount point matched, as the client wrote it. */
  readonly baseUrl: string;
  /** The client's address as Express resolved it (honouring `trust proxy`). */
  readonly ip?: string | undefined;
  /** What a body parser that ran before (Nest's built-in `express.json()`) made of the body. */
  readonly body?: unknown;
  /** The bytes Nest keeps when the app is created with `{ rawBody: true }`. */
  readonly rawBody?: unknown;
}

export type NextFunction = (error?: unknown) => void;

/**
 * A body parser's refusal (an `http-errors` error with one of body-parser's `type`s, or a
 * decompression error, which has none), as opposed to any other error an app's middleware
 * passes on.
 */
export interface BodyParserFailure {
  readonly status: number;
  /** The body text, for a body that was read but is not valid JSON (or not an object). */
  readonly body: string | undefined;
}

const BODY_PARSER_ERROR_TYPES = new Set([
  "entity.parse.failed",
  "entity.too.large",
  "charset.unsupported",
  "encoding.unsupported",
  "request.aborted",
  "request.size.invalid",
  "stream.encoding.set",
  "stream.not.readable",
  "parameters.too.many",
]);

export function bodyParserFailureOf(error: unknown, request: IncomingMessage): BodyParserFailure | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { type, status, body } = error as { type?: unknown; status?: unknown; body?: unknown };
  if (typeof status !== "number" || status < 400 || status > 499) return undefined;
  const fromParser = typeof type === "string" ? BODY_PARSER_ERROR_TYPES.has(type) : isEncoded(request);
  if (!fromParser) return undefined;
  return { status, body: type === "entity.parse.failed" && typeof body === "string" ? body : undefined };
}

function isEncoded(request: IncomingMessage): boolean {
  const coding = request.headers["content-encoding"];
  return coding !== undefined && !/^\s*(identity)?\s*$/i.test(coding);
}

/**
 * Reads the body the way the core reads a raw request: from the raw stream when nothing
 * consumed it. When a body parser got there first (one the app registered on its Express
 * instance before Nest's adapter), from what the parser left behind, through the core's
 * `parsedBody` with the request's headers, so that the checks run in the core's order (size,
 * coding, content type, emptiness, JSON). That is the core's answer for any body sent with a
 * `Content-Length`.
 */
export function readRequestBody(request: ExpressRequest, parserFailure?: BodyParserFailure): Promise<RequestBody> {
  const contentType = request.headers["content-type"];
  const headers = { contentLength: request.headers["content-length"], contentEncoding: request.headers["content-encoding"] };

  // Stopping early (over the limit) must not destroy the request, as ending a `for await` over
  // it would: the socket goes with it and a keep-alive client waits forever. The rest of the
  // body is drained after the answer (see `drainRequest`).
  if (!request.readableEnded) {
    return readJsonBody({ contentType, ...headers, chunks: request.iterator({ destroyOnReturn: false }) });
  }
  if (parserFailure !== undefined) return Promise.resolve(judgeParserFailure(parserFailure, contentType, headers));
  if (request.rawBody instanceof Uint8Array) return Promise.resolve(parsedBody(request.rawBody, contentType, headers));
  // Read by someone who left nothing behind: as good as an empty body.
  return Promise.resolve(parsedBody(request.body === undefined ? "" : request.body, contentType, headers));
}

function judgeParserFailure(
  failure: BodyParserFailure,
  contentType: string | undefined,
  headers: { readonly contentLength: string | undefined; readonly contentEncoding: string | undefined },
): RequestBody {
  // body-parser's strict mode refuses JSON that is valid but not an object or array: judge the text.
  if (failure.body !== undefined) return parsedBody(failure.body, contentType, headers);
  // What the headers alone rule out comes first, as when the core reads the stream.
  const byHeaders = parsedBody({}, contentType, headers);
  if (byHeaders.kind === "invalid") return byHeaders;
  if (failure.status === 413) return { kind: "invalid", reason: "too-large" };
  if (failure.status === 415) return { kind: "invalid", reason: "unsupported-media-type" };
  return { kind: "invalid", reason: "malformed" };
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
