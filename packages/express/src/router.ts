import type { Auth101 } from "@auth101/core";
import { createAuthHttpHandler } from "@auth101/core";
import { bodyFromParserError, bodyHeadersOf, sendNodeResponse } from "@auth101/core/node";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { toAuthHttpRequest } from "./request-translation.js";

/**
 * What `auth101Router` returns: the endpoints, and the error middleware that answers a body
 * parser's errors on them. `app.use(path, ...)` and `router.use(path, ...)` accept the pair as
 * one argument. A pair and not one Router: see `auth101Router`.
 */
export type Auth101Router = [endpoints: RequestHandler, bodyParserErrors: ErrorRequestHandler];

/**
 * The auth endpoints (every path of the core's `AUTH_ENDPOINTS`: sign-up, sign-in, sign-out,
 * the session, the sessions, ...; docs/http-api.md lists them), relative to where they are
 * mounted:
 *
 * ```ts
 * app.use("/auth", auth101Router(auth));
 * ```
 *
 * Each endpoint path takes every method, so a wrong method gets the core's 405 (with `Allow`).
 * Paths match exactly as written (case and trailing slash), as the core routes them; other
 * paths under the prefix go on to the next handler. The body is read and parsed here with the
 * shared 64 KiB limit, so no body parser is needed; if one is mounted earlier, its result is
 * used.
 *
 * Why a pair and not one Router, as `@auth101/koa` returns: the errors a body parser mounted
 * earlier raises for the auth endpoints (malformed JSON, too large, ...) must be answered with
 * the JSON error body instead of Express's error page, and Express hands errors only to
 * error-handling middleware, which a Router mounted with `app.use` is not.
 */
export function auth101Router(auth: Auth101): Auth101Router {
  const handle = createAuthHttpHandler(auth);

  // Express gives `req.path` relative to the mount path: it is the endpoint path as is.
  const endpoints: RequestHandler = (req, res, next) => {
    handle(toAuthHttpRequest(req)).then((response) => {
      if (response === undefined) next();
      else sendNodeResponse(res, response);
    }, next);
  };

  // The pair's second half: the error of a body parser mounted earlier, translated into the
  // body the core would have read itself, so the answer is the one without a parser.
  const bodyParserErrors: ErrorRequestHandler = (error: unknown, req, res, next) => {
    const body = bodyFromParserError(error, bodyHeadersOf(req));
    if (body === undefined || res.headersSent) {
      next(error);
      return;
    }
    handle(toAuthHttpRequest(req, () => Promise.resolve(body))).then((response) => {
      // Not an auth endpoint: the app's own route under the prefix, so the app's error handling.
      if (response === undefined) next(error);
      else sendNodeResponse(res, response);
    }, next);
  };

  return [endpoints, bodyParserErrors];
}
