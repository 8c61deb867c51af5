import type { BodyHeaders, RequestBody } from "../http/request-body.js";
import { headerFailure, invalid, isEncoded, MAX_BODY_BYTES, parsedBody } from "../http/request-body.js";

/** The `type`s body-parser and raw-body give the errors they pass to `next(err)`. */
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

/**
 * For an integration behind an app's body parser (Express's `express.json()`, Nest's built-in
 * one) that refused the request and passed `error` on: the body as the core would have judged
 * it reading the request itself, so the answer is the same with or without that parser.
 * `undefined` when `error` is not a body parser's refusal (e.g. an app's own `verify` hook):
 * that is the app's error to handle.
 */
export function bodyFromParserError(error: unknown, headers: BodyHeaders): RequestBody | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { type, status, body } = error as { type?: unknown; status?: unknown; body?: unknown };
  if (typeof status !== "number" || status < 400 || status > 499) return undefined;
  // Decompression errors carry no type; a refused content coding is the core's to answer anyway.
  const fromParser = typeof type === "string" ? BODY_PARSER_ERROR_TYPES.has(type) : isEncoded(headers.contentEncoding);
  if (!fromParser) return undefined;
  const failure = headerFailure(headers, MAX_BODY_BYTES);
  if (failure !== undefined) return invalid(failure);
  if (status === 413) return invalid("too-large");
  if (status === 415) return invalid("unsupported-media-type");
  // In strict mode body-parser refuses valid JSON that is not an object or array ("ada", null).
  if (type === "entity.parse.failed" && typeof body === "string") return parsedBody(body, headers.contentType);
  return invalid("malformed");
}
