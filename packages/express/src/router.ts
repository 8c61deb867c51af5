import type { Auth101 } from "@auth101/core";
import { createAuthHttpHandler } from "@auth101/core";
import { bodyFromParserError, bodyHeadersOf, sendNodeResponse } from "@auth101/core/node";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { toAuthHttpRequest } from "./request-translation.js";

/**
 * The two middleware functions `auth101Router` returns; `app.use(path, ...)` and
 * `router.use(path, ...)` accept the pair as one argument.
 */
export type Auth101Router = [endpoints: RequestHandler, bodyParserErrors: ErrorRequestHandler];

/**
 * The four auth endpoints (`POST /sign-up/email`, `POST /sign-in/email`, `POST /sign-out`,
 * `GET /session`), relative to where they are mounted:
 *
 * ```ts
 * app.use("/auth", auth101Router(auth));
 * ```
 *
 * Requests to other paths under the prefix go on to the next handler. The body is read and
 * parsed here with the shared 64 KiB limit, so no body parser is needed; if one is mounted
 * earlier, its result is used, and the errors it raises for the auth endpoints (malformed
 * JSON, too large, ...) are answered with the JSON error body instead of Express's error page.
 * That second part is why this is a pair and not a single Router: Express hands errors only
 * to error-handling middleware, which a Router mounted with `app.use` is not.
 */
export function auth101Router(auth: Auth101): Auth101Router {
  const handle = createAuthHttpHandler(auth);

  const endpoints: RequestHandler = (req, res, next) => {
    handle(toAuthHttpRequest(req)).then((response) => {
      if (response === undefined) next();
      else sendNodeResponse(res, response);
    }, next);
  };

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
