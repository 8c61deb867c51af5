import type { AuthHttpRequest, AuthHttpResponse, RequestBody } from "@auth101/core";
import { parsedBody, readJsonBody } from "@auth101/core";
import type { ParameterizedContext } from "koa";

/** The part of a Koa context the translation reads and writes; any state or router context fits. */
type KoaContext = ParameterizedContext<unknown, unknown, unknown>;

/** What a body parser mounted before auth101 (@koa/bodyparser, koa-body) leaves on `ctx.request`. */
interface BodyParserResult {
  readonly body?: unknown;
  /** @koa/bodyparser keeps the text it parsed; with it the shared size limit still applies. */
  readonly rawBody?: unknown;
}

/** A Koa request as the core's HTTP handler reads it. `path` is the endpoint, relative to the mount prefix. */
export function toAuthHttpRequest(ctx: KoaContext, path: string): AuthHttpRequest {
  return {
    method: ctx.method,
    path,
    authorization: ctx.request.headers.authorization,
    // Koa resolves this from X-Forwarded-For only when `app.proxy` is true.
    clientAddress: ctx.ip || undefined,
    readBody: () => readRequestBody(ctx),
  };
}

/** The Authorization header, as the core's `authenticateRequest` takes it. */
export function authorizationOf(ctx: KoaContext): string | undefined {
  return ctx.request.headers.authorization;
}

/**
 * Reads the raw request stream with the shared limit, unless a body parser mounted earlier
 * already consumed it: then its result is used, so auth101 works with or without one.
 */
function readRequestBody(ctx: KoaContext): Promise<RequestBody> {
  const headers = ctx.request.headers;
  if (!ctx.req.readableDidRead) {
    return readJsonBody({
      contentType: headers["content-type"],
      contentLength: headers["content-length"],
      chunks: ctx.req,
    });
  }
  const { body, rawBody } = ctx.request as BodyParserResult;
  return Promise.resolve(parsedBody(typeof rawBody === "string" ? rawBody : body, headers["content-type"]));
}

/** Writes the core's answer as it is: status, headers, and the JSON body. */
export function writeAuthHttpResponse(ctx: KoaContext, response: AuthHttpResponse): void {
  ctx.status = response.status;
  ctx.set(response.headers);
  ctx.body = JSON.stringify(response.body);
}
