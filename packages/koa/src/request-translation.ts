import type { IncomingMessage } from "node:http";
import type { AuthHttpRequest, AuthHttpResponse, BodyHeaders, RequestBody } from "@auth101/core";
import { parsedBody, readJsonBody } from "@auth101/core";
import type { ParameterizedContext } from "koa";

/** The part of a Koa context the translation reads and writes; any state or router context fits. */
type KoaContext = ParameterizedContext<unknown, unknown, unknown>;

/** What a body parser mounted before auth101 (@koa/bodyparser, koa-body) leaves on `ctx.request`. */
interface BodyParserResult {
  readonly body?: unknown;
  /** The text @koa/bodyparser parsed: with it the shared size limit applies to chunked bodies too. */
  readonly rawBody?: unknown;
}

/** A Koa request as the core's HTTP handler sees it. `path` is the endpoint, relative to the mount prefix. */
export function toAuthHttpRequest(ctx: KoaContext, path: string): AuthHttpRequest {
  return {
    method: ctx.method,
    path,
    authorization: ctx.request.headers.authorization,
    // Koa takes this from X-Forwarded-For only when `app.proxy` is true.
    clientAddress: ctx.ip || undefined,
    readBody: () => requestBody(ctx),
  };
}

/** The request headers the core judges a body by. */
export function bodyHeadersOf(req: IncomingMessage): BodyHeaders {
  return {
    contentType: req.headers["content-type"],
    contentLength: req.headers["content-length"],
    contentEncoding: req.headers["content-encoding"],
  };
}

/**
 * The request's JSON body: read from the raw stream with the shared size limit, or, when a
 * body parser mounted earlier (@koa/bodyparser, koa-body) already consumed the stream, taken
 * from what it left on `ctx.request`. The headers go along so that the core's checks run in
 * its own order (size, coding, content type, emptiness, JSON), whatever the parser allowed.
 */
export function requestBody(ctx: KoaContext): Promise<RequestBody> {
  const headers = bodyHeadersOf(ctx.req);
  if (!ctx.req.readableDidRead) return readJsonBody({ ...headers, chunks: ctx.req });
  const { body, rawBody } = ctx.request as BodyParserResult;
  // A parser that consumed the stream yet left no body refused it and had its error swallowed
  // (an `onError` that does not throw): nothing is left to read, which the core judges malformed.
  const parsed = typeof rawBody === "string" ? rawBody : body === undefined ? "" : body;
  return Promise.resolve(parsedBody(parsed, headers.contentType, headers));
}

/** Writes the core's response as is: status, headers, and `JSON.stringify(body)`. */
export function sendAuthHttpResponse(ctx: KoaContext, response: AuthHttpResponse): void {
  ctx.status = response.status;
  ctx.set(response.headers);
  ctx.body = JSON.stringify(response.body);
}
