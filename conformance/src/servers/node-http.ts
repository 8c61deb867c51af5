import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthHttpResponse } from "@auth101/core";
import { authenticateRequest, createAuthHttpHandler, readJsonBody } from "@auth101/core";
import type { StartConformanceServer } from "@auth101/core/testing";
import { listen } from "./listen.js";

/**
 * The core on bare node:http, with no framework: the reference the three integrations are
 * compared against, and the smallest example of what an integration has to translate.
 */
export const startNodeHttpServer: StartConformanceServer = async ({ auth, prefix }) => {
  const handleAuth = createAuthHttpHandler(auth);


  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path.startsWith(`${prefix}/`)) {
      const handled = await handleAuth({
        method: request.method ?? "GET",
        path: path.slice(prefix.length),
        authorization: request.headers.authorization,
        clientAddress: request.socket.remoteAddress,
        readBody: () =>
          readJsonBody({
            contentType: request.headers["content-type"],
            contentLength: request.headers["content-length"],
            contentEncoding: request.headers["content-encoding"],
            chunks: request,
          }),
      });
      if (handled !== undefined) return send(response, handled);
    }
    if (path === "/protected" && request.method === "GET") {
      const authentication = await authenticateRequest(auth, request.headers.authorization);
      if ("response" in authentication) return send(response, authentication.response);
      const { id, email } = authentication.user;
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      response.end(JSON.stringify({ id, email }));
      return;
    }
    response.writeHead(404, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify({ error: "not found" }));
  }

  return listen((request, response) => {
    void answer(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json; charset=utf-8" });
      response.end(JSON.stringify({ error: { message: "Internal error", code: "INTERNAL_ERROR" } }));
    });
  });
};

function send(response: ServerResponse, answer: AuthHttpResponse): void {
  response.writeHead(answer.status, answer.headers);
  response.end(JSON.stringify(answer.body));
}
