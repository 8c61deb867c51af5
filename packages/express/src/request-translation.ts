import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthHttpRequest, AuthHttpResponse, RequestBody } from "@auth101/core";
import { MAX_BODY_BYTES, parsedBody, readJsonBody } from "@auth101/core";
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

/**
 * The request's JSON body: read from the raw stream with the shared size limit, or, when a
 * body parser mounted earlier (express.json(), express.text(), ...) already consumed the
 * stream, taken from what it left on `req.body`.
 */
export function requestBody(req: Request): Promise<RequestBody> {
  const contentType = req.headers["content-type"];
  const contentLength = req.headers["content-length"];
  if (req.readableEnded) {
    // The earlier parser had its own (usually larger) limit; the core's limit still applies.
    if (contentLength !== undefined && Number(contentLength) > MAX_BODY_BYTES) {
      return Promise.resolve({ kind: "invalid", reason: "too-large" });
    }
    return Promise.resolve(parsedBody(req.body as unknown, contentType));
  }
  return readJsonBody({ contentType, contentLength, chunks: req });
}

/** Writes the core's response as is: status, headers, and `JSON.stringify(body)`. */
export function sendAuthHttpResponse(res: ServerResponse<IncomingMessage>, response: AuthHttpResponse): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(JSON.stringify(response.body));
}
