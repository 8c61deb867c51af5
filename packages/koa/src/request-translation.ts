import type { AuthHttpRequest, AuthHttpResponse, RequestBody } from "@auth101/core";
import { MAX_BODY_BYTES, parsedBody, readJsonBody } from "@auth101/core";
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

/**
 * The request's JSON body: read from the raw stream with the shared size limit, or, when a
 * body parser mounted earlier already consumed the stream, taken from what it left on
 * `ctx.request`. So auth101 works with or without one.
 */
export function requestBody(ctx: KoaContext): Promise<RequestBody> {
  const contentType = ctx.request.headers["content-type"];
  const contentLength = ctx.request.headers["content-length"];
  if (!ctx.req.readableDidRead) {
    return readJsonBody({ contentType, contentLength, chunks: ctx.req });
  }
  // The earlier parser had its own (usually larger) limit; the core's limit still applies.
  if (contentLength !== undefined && Number(contentLength) > MAX_BODY_BYTES) {
    return Promise.resolve({ kind: "invalid", reason: "too-large" });
  }
  const { body, rawBody } = ctx.request as BodyParserResult;
  return Promise.resolve(parsedBody(typeof rawBody === "string" ? rawBody : body, contentType));
}

/** Writes the core's response as is: status, headers, and `JSON.stringify(body)`. */
export function sendAuthHttpResponse(ctx: KoaContext, response: AuthHttpResponse): void {
  ctx.status = response.status;
  ctx.set(response.headers);
  ctx.body = JSON.stringify(response.body);
}
