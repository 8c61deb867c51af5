import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AuthHttpResponse } from "../http/auth-http-handler.js";
import type { HeaderReader } from "../http/cookie-session.js";
import type { BodyHeaders, RequestBody } from "../http/request-body.js";
import { parsedBody, readJsonBody } from "../http/request-body.js";

// Express, Koa and NestJS all sit on Node's http server: these are the translations they share.

/**
 * The core's header accessor over Node's parsed headers (names already lower case; Node
 * joins repeated `Cookie` headers with `; ` and most others with `, `).
 */
export function nodeHeaderReader(headers: IncomingHttpHeaders): HeaderReader {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
}

/** The request headers the core judges a body by. */
export function bodyHeadersOf(request: IncomingMessage): BodyHeaders {
  return {
    contentType: request.headers["content-type"],
    contentLength: request.headers["content-length"],
    contentEncoding: request.headers["content-encoding"],
  };
}

/**
 * The body of a Node request: read from the raw stream with the shared size limit, or, when a
 * body parser the app mounted earlier already read the stream, judged from what that parser
 * left behind (`leftBehind()`: its raw text if it kept it, else its parsed value). The headers
 * go along, so the core's checks run in its own order (size, coding, content type, emptiness,
 * JSON) whatever the parser allowed; a parser that read the body and left nothing counts as
 * an empty body.
 */
export function nodeRequestBody(request: IncomingMessage, leftBehind: () => unknown): Promise<RequestBody> {
  const headers = bodyHeadersOf(request);
  if (!request.readableDidRead) return readJsonBody({ ...headers, chunks: request });
  return Promise.resolve(parsedBody(leftBehind() ?? "", headers.contentType, headers));
}

/** Writes the core's response as is: status, headers, and `JSON.stringify(body)`. */
export function sendNodeResponse(response: ServerResponse, answer: AuthHttpResponse): void {
  response.statusCode = answer.status;
  for (const name in answer.headers) response.setHeader(name, answer.headers[name] as string);
  response.end(JSON.stringify(answer.body));
}

/**
 * The client's address for rate limiting, taken the same way by every integration: the address
 * the framework resolved under its own proxy setting (Express's `trust proxy`, Koa's
 * `app.proxy`, Fastify's `trustProxy`), else the connection's peer.
 */
export function clientAddressOf(request: IncomingMessage, frameworkAddress: string | undefined): string | undefined {
  return frameworkAddress || request.socket.remoteAddress || undefined;
}
