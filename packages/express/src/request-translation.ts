import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthHttpRequest, AuthHttpResponse, BodyHeaders, RequestBody } from "@auth101/core";
import { parsedBody, readJsonBody } from "@auth101/core";
import type { Request } from "express";

/** An Express request as the core's HTTP handler sees it. `req.path` is already relative to the mount point. */
export function toAuthHttpRequest(req: Request, readBody: () => Promise<RequestBody> = () => requestBody(req)): AuthHttpRequest {
  return {
    method: req.method,
    path: req.path,
    authorization: req.headers.authorization,
    // Express resolves req.ip according to the app's "trust proxy" setting.
    clientAddress: req.ip,
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
 * body parser mounted earlier (express.json(), express.text(), ...) already consumed the
 * stream, taken from what it left on `req.body`. The headers go along so that the core's
 * checks run in its own order (size, coding, content type, emptiness, JSON), whatever the
 * parser allowed.
 */
export function requestBody(req: Request): Promise<RequestBody> {
  const headers = bodyHeadersOf(req);
  if (!req.readableDidRead) return readJsonBody({ ...headers, chunks: req });
  // Read by someone who left nothing behind: as good as an empty body.
  return Promise.resolve(parsedBody(req.body === undefined ? "" : (req.body as unknown), headers.contentType, headers));
}

/** Writes the core's response as is: status, headers, and `JSON.stringify(body)`. */
export function sendAuthHttpResponse(res: ServerResponse<IncomingMessage>, response: AuthHttpResponse): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(JSON.stringify(response.body));
}
