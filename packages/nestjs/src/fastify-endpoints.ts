import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AuthHttpHandler, AuthHttpRequest } from "@auth101/core";
import { clientAddressOf, nodeHeaderReader, nodeRequestBody, sendNodeResponse } from "@auth101/core/node";

/**
 * The parts of Fastify's request, reply and instance the endpoints use. Declared here so
 * that the package needs no runtime (or type) dependency on fastify itself.
 */
export interface FastifyRequestLike {
  /** The request target as the router saw it, with the query string. */
  readonly url: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The client's address as Fastify resolved it (honouring its `trustProxy` option). */
  readonly ip: string;
  /** Node's request, whose body stream nothing has read yet in an `onRequest` hook. */
  readonly raw: IncomingMessage;
  /** What a content-type parser made of the body; never set yet in an `onRequest` hook. */
  readonly body?: unknown;
}

export interface FastifyReplyLike {
  /** Node's response. */
  readonly raw: ServerResponse;
  /** Tells Fastify that the response is written on `raw`, and that its lifecycle ends here. */
  hijack(): unknown;
}

export type FastifyOnRequestHook = (
  request: FastifyRequestLike,
  reply: FastifyReplyLike,
  done: (error?: Error) => void,
) => void;

export interface FastifyInstanceLike {
  addHook(name: "onRequest", hook: FastifyOnRequestHook): unknown;
}

/**
 * The endpoints on Nest's Fastify platform: one `onRequest` hook on the app's Fastify
 * instance. Every request whose path is under `mountPath`, whatever its method (also one
 * Fastify has no route for), goes to the core's handler, which reads the body from the raw
 * stream: `onRequest` runs before Fastify's content-type parsers, so the size limit,
 * content type, charset, encoding and JSON checks are the core's own. The answer is written
 * on Node's response as the core wrote it, byte for byte what the other integrations send
 * (`reply.send()` would add a `Content-Length` to a HEAD answer), so Fastify's `onSend` and
 * `onResponse` hooks do not run for it. Paths the core does not serve go on through
 * Fastify's lifecycle untouched: the app's own routes there, or Nest's 404.
 *
 * Added when the module initializes, after the hooks of Nest's adapter (CORS, security
 * headers, shutdown) and Nest's middleware, so they run in front of the endpoints as in
 * front of any route.
 */
export function fastifyEndpointsHook(handle: AuthHttpHandler, mountPath: string): FastifyOnRequestHook {
  return (request, reply, done) => {
    const path = pathUnder(mountPath, request.url);
    if (path === undefined) return done();
    handle(toAuthHttpRequest(request, path)).then((answer) => {
      if (answer === undefined) return done();
      // No done() after an answer: the request's lifecycle ends here.
      reply.hijack();
      sendNodeResponse(reply.raw, answer);
    }, done);
  };
}

function toAuthHttpRequest(request: FastifyRequestLike, path: string): AuthHttpRequest {
  return {
    method: request.method,
    path,
    header: nodeHeaderReader(request.headers),
    // Fastify resolves request.ip according to its trustProxy setting.
    clientAddress: () => clientAddressOf(request.raw, request.ip),
    readBody: () => nodeRequestBody(request.raw, () => request.body),
  };
}

/** `/sign-in/email` for `/auth/sign-in/email?x=1` under `/auth`; matched as written (case, slashes), as Express's `req.path`. */
function pathUnder(mountPath: string, url: string): string | undefined {
  if (!url.startsWith(`${mountPath}/`)) return undefined;
  const queryStart = url.indexOf("?");
  return url.slice(mountPath.length, queryStart === -1 ? undefined : queryStart);
}
