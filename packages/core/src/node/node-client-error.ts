import type { Duplex } from "node:stream";
import type { AuthHttpResponseBody } from "../http/auth-http-handler.js";

/**
 * Requests Node's HTTP parser refuses (smuggling shapes such as Content-Length with
 * Transfer-Encoding, duplicate or list Content-Length, bad chunk sizes, NUL bytes, oversized
 * headers) never reach the app: Node answers them itself with a bare status line. The
 * status for each parser error is Node's own; the body becomes the error envelope every
 * other malformed request gets.
 */
const STATUS_BY_PARSER_ERROR: Readonly<Record<string, { readonly status: number; readonly message: string }>> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: "Request headers are too large" },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, message: "Request chunk extensions are too large" },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: "The request took too long to arrive" },
};
const MALFORMED = { status: 400, message: "Malformed HTTP request" } as const;

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Payload Too Large",
  431: "Request Header Fields Too Large",
};

/**
 * A `clientError` listener for a Node HTTP server: answers what Node's parser refused with
 * the JSON error envelope (`VALIDATION_ERROR`), the status Node would have sent (400, 408,
 * 413 or 431) and `Connection: close`, then closes the connection.
 *
 * ```ts
 * const server = http.createServer(app);
 * server.on("clientError", answerClientError);
 * ```
 *
 * Like Node's default, it writes nothing if a response already went out on the connection
 * (the parser can fail in a body the app chose not to read) or the peer is gone.
 */
export function answerClientError(error: Error & { readonly code?: string }, socket: Duplex): void {
  const writable = socket.writable && bytesWritten(socket) === 0;
  if (!writable || error.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const { status, message } = (error.code === undefined ? undefined : STATUS_BY_PARSER_ERROR[error.code]) ?? MALFORMED;
  const body: AuthHttpResponseBody = { error: { code: "VALIDATION_ERROR", message } };
  const json = JSON.stringify(body);
  socket.end(
    [
      `HTTP/1.1 ${status} ${REASONS[status]}`,
      "Content-Type: application/json; charset=utf-8",
      "Cache-Control: no-store",
      `Content-Length: ${Buffer.byteLength(json)}`,
      "Connection: close",
      "",
      json,
    ].join("\r\n"),
  );
  // The parser is in an error state: nothing more can be read from this connection.
  socket.once("finish", () => socket.destroy());
}

function bytesWritten(socket: Duplex): number {
  return "bytesWritten" in socket && typeof socket.bytesWritten === "number" ? socket.bytesWritten : 0;
}
