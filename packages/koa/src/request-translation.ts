import type { AuthHttpRequest, AuthHttpResponse, RequestBody } from "@auth101/core";
import { clientAddressOf, nodeHeaderReader, nodeRequestBody } from "@auth101/core/node";
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
    header: nodeHeaderReader(ctx.request.headers),
    // Koa takes this from X-Forwarded-For only when `app.proxy` is true.
    clientAddress: clientAddressOf(ctx.req, ctx.ip),
    readBody: () => requestBody(ctx),
  };
}

/**
 * The request's JSON body, read by the core from the raw stream, or from what a body parser
 * mounted earlier (@koa/bodyparser, koa-body) left on `ctx.request`: its raw text when it kept
 * it (so the size limit applies to chunked bodies too), else its parsed value.
 */
export function requestBody(ctx: KoaContext): Promise<RequestBody> {
  const { body, rawBody } = ctx.request as BodyParserResult;
  return nodeRequestBody(ctx.req, () => (typeof rawBody === "string" ? rawBody : body));
}

/** Writes the core's response as is: status, headers, and `JSON.stringify(body)`. */
export function sendAuthHttpResponse(ctx: KoaContext, response: AuthHttpResponse): void {
  ctx.status = response.status;
  // Straight onto Node's response, where ctx.set would put them too: Koa's set() copies every
  // call's arguments into an array of entries first, a cost on every request.
  for (const name in response.headers) ctx.res.setHeader(name, response.headers[name] as string);
  ctx.body = JSON.stringify(response.body);
}
