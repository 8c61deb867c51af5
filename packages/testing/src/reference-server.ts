import type { Auth101 } from "@auth101/core";
import { authenticateRequest, createAuthHttpHandler } from "@auth101/core";
import { nodeHeaderReader, nodeRequestBody, sendNodeResponse } from "@auth101/core/node";
import type { ConformanceServer } from "./support/http-client.js";
import { PROTECTED_PATH } from "./support/http-client.js";
import { listenOnLoopback } from "./listen-on-loopback.js";

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

/**
 * The core on bare node:http, with no framework, reading the raw request stream: the four
 * endpoints at `prefix` (default `/auth`) and `GET` and `POST /protected` behind `authenticateRequest`,
 * answering `{ id, email }`; anything else is 404. What every integration must answer, byte
 * for byte, for the same request, and the smallest example of what one has to translate.
 * Takes the options a `StartConformanceServer` is given, so it can be passed as one.
 */
export function startReferenceServer(options: {
  readonly auth: Auth101;
  readonly prefix?: string;
}): Promise<ConformanceServer> {
  const { auth, prefix = "/auth" } = options;
  const handleAuth = createAuthHttpHandler(auth);
  return listenOnLoopback((request, response) => {
    const answer = async (): Promise<void> => {
      const path = new URL(request.url ?? "/", "http://localhost").pathname;
      if (path.startsWith(`${prefix}/`)) {
        const handled = await handleAuth({
          method: request.method ?? "GET",
          path: path.slice(prefix.length),
          header: nodeHeaderReader(request.headers),
          clientAddress: () => request.socket.remoteAddress,
          // Nothing ahead of this server reads the body.
          readBody: () => nodeRequestBody(request, () => undefined),
        });
        if (handled !== undefined) return sendNodeResponse(response, handled);
      }
      // POST too: a state-changing route, where the guard makes the CSRF check on a cookie session.
      if (path === PROTECTED_PATH && (request.method === "GET" || request.method === "POST")) {
        const authentication = await authenticateRequest(auth, {
          method: request.method ?? "GET",
          header: nodeHeaderReader(request.headers),
        });
        if ("response" in authentication) return sendNodeResponse(response, authentication.response);
        const { id, email } = authentication.user;
        response.writeHead(200, JSON_TYPE).end(JSON.stringify({ id, email }));
        return;
      }
      response.writeHead(404, JSON_TYPE).end(JSON.stringify({ error: "not found" }));
    };
    answer().catch(() => {
      if (!response.headersSent) response.writeHead(500, JSON_TYPE);
      response.end(JSON.stringify({ error: { message: "Internal error", code: "INTERNAL_ERROR" } }));
    });
  });
}
