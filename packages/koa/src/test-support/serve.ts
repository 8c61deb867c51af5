// The one framework-specific test helper: a Koa app served as a test starts it. The rest
// (requests, answers, a failing store, an Auth101 for tests) comes from @auth101/testing.
import { answerClientError } from "@auth101/core/node";
import type { ConformanceServer } from "@auth101/testing";
import { listenOnLoopback } from "@auth101/testing";
import type Koa from "koa";

/**
 * Serves a Koa app on 127.0.0.1 on a free port (as `app.listen` would: a Node server on
 * `app.callback()`), with the `clientError` listener the README asks for: without it, Node
 * destroys the socket of a request its parser refuses with the error, and Koa's default error
 * log prints its stack.
 */
export function serve(app: Koa): Promise<ConformanceServer> {
  return listenOnLoopback(app.callback(), (server) => server.on("clientError", answerClientError));
}
