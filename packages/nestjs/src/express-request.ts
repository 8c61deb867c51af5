import type { IncomingMessage } from "node:http";
import type { AuthHttpRequest, RequestBody } from "@auth101/core";
import { clientAddressOf, nodeHeaderReader, nodeRequestBody } from "@auth101/core/node";

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
export function toAuthHttpRequest(
  req: ExpressRequest,
  readBody: () => Promise<RequestBody> = () => requestBody(req),
): AuthHttpRequest {
  return {
    method: req.method ?? "GET",
    path: req.path,
    header: nodeHeaderReader(req.headers),
    // Express resolves req.ip according to the app's "trust proxy" setting.
    clientAddress: () => clientAddressOf(req, req.ip),
    readBody,
  };
}

/**
 * The request's JSON body, read by the core from the raw stream, or, when a body parser got
 * there first (one the app registered on its Express instance before Nest's adapter, or
 * Nest's own for a request auth101 did not read early), from what it left behind
 * (`req.rawBody`, else `req.body`).
 */
export function requestBody(req: ExpressRequest): Promise<RequestBody> {
  return nodeRequestBody(req, () => (req.rawBody instanceof Uint8Array ? req.rawBody : req.body));
}
