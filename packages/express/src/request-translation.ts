import type { AuthHttpRequest, GuardedRequest, RequestBody } from "@auth101/core";
import { clientAddressOf, nodeHeaderReader, nodeRequestBody } from "@auth101/core/node";
import type { Request } from "express";

/** An Express request as the guards (`requireUser`, `optionalUser`) see it. */
export function toGuardedRequest(req: Request): GuardedRequest {
  return { method: req.method, header: nodeHeaderReader(req.headers) };
}

/** An Express request as the core's HTTP handler sees it. `req.path` is already relative to the mount point. */
export function toAuthHttpRequest(
  req: Request,
  readBody: () => Promise<RequestBody> = () => requestBody(req),
): AuthHttpRequest {
  return {
    method: req.method,
    path: req.path,
    header: nodeHeaderReader(req.headers),
    // Express resolves req.ip according to the app's "trust proxy" setting.
    clientAddress: () => clientAddressOf(req, req.ip),
    readBody,
  };
}

/**
 * The request's JSON body, read by the core from the raw stream, or from what a body parser
 * mounted earlier (express.json(), express.text(), ...) left on `req.body`.
 */
export function requestBody(req: Request): Promise<RequestBody> {
  return nodeRequestBody(req, () => req.body as unknown);
}
