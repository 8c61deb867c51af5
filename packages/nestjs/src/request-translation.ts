import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthHttpRequest, AuthHttpResponse, BodyHeaders, RequestBody } from "@auth101/core";
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

/** An Express request as the core's HTTP handler sees it. `req.path` is already relative to the mount point. */
export function toAuthHttpRequest(req: ExpressRequest, readBody: () => Promise<RequestBody> = () => requestBody(req)): AuthHttpRequest {
  return {
    method: req.method ?? "GET",
    path: req.path,
    authorization: req.headers.authorization,
    // Express resolves req.ip according to the app's "trust proxy" setting.
    clientAddress: req.ip ?? req.socket.remoteAddress,
    readBody,
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
 * body parser got there first (one the app registered on its Express instance before Nest's
 * adapter, or Nest's own for a request auth101 did not read early), taken from what it left
 * behind (`req.rawBody`, else `req.body`). The headers go along so that the core's
 * checks run in its own order (size, coding, content type, emptiness, JSON), whatever the
 * parser allowed.
 */
export function requestBody(req: ExpressRequest): Promise<RequestBody> {
  const headers = bodyHeadersOf(req);
  if (!req.readableDidRead) return readJsonBody({ ...headers, chunks: req });
  if (req.rawBody instanceof Uint8Array) return Promise.resolve(parsedBody(req.rawBody, headers.contentType, headers));
  // Read by someone who left nothing behind: as good as an empty body.
  return Promise.resolve(parsedBody(req.body === undefined ? "" : req.body, headers.contentType, headers));
}

/** Writes the core's response as is: status, headers, and `JSON.stringify(body)`. */
export function sendAuthHttpResponse(res: ServerResponse, response: AuthHttpResponse): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(JSON.stringify(response.body));
}
