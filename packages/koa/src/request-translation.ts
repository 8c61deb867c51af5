import type { AuthHttpRequest, AuthHttpResponse, GuardedRequest, RequestBody } from "@auth101/core";
import { clientAddressOf, nodeHeaderReader, nodeRequestBody } from "@auth101/core/node";
import type { ParameterizedContext } from "koa";

// Koa's request and response objects are read and written directly, never through ctx's
// delegating accessors (ctx.method, ctx.status, ctx.body): those pass the property on by a
// name held in a variable, a lookup V8 cannot specialise, and cost more than the rest of the
// translation on every request (bench: `pnpm --filter @auth101/bench instructions`).

/** The part of a Koa context the translation reads and writes; any state or router context fits. */
type KoaContext = ParameterizedContext<unknown, unknown, unknown>;

/** What a body parser mounted before auth101 (@koa/bodyparser, koa-body) leaves on `ctx.request`. */
interface BodyParserResult {
  readonly body?: unknown;
  /** The text @koa/bodyparser parsed: with it the shared size limit applies to chunked bodies too. */
  readonly rawBody?: unknown;
}

/** A Koa request as the guards (`requireUser`, `optionalUser`) see it. */
export function toGuardedRequest(ctx: KoaContext): GuardedRequest {
  return { method: ctx.request.method, header: nodeHeaderReader(ctx.request.headers) };
}

/** A Koa request as the core's HTTP handler sees it. `path` is the endpoint, relative to the mount prefix. */
export function toAuthHttpRequest(ctx: KoaContext, path: string): AuthHttpRequest {
  const { request } = ctx;
  return {
    method: request.method,
    path,
    header: nodeHeaderReader(request.headers),
    // Koa takes this from X-Forwarded-For only when `app.proxy` is true.
    clientAddress: () => clientAddressOf(ctx.req, request.ip),
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
export function sendAuthHttpResponse(ctx: KoaContext, answer: AuthHttpResponse): void {
  const { response } = ctx;
  response.status = answer.status;
  // Straight onto Node's response, where response.set would put them too: Koa's set() copies
  // every call's arguments into an array of entries first, a cost on every request.
  for (const name in answer.headers) ctx.res.setHeader(name, answer.headers[name] as string);
  response.body = JSON.stringify(answer.body);
}
