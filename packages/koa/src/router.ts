import type { Auth101 } from "@auth101/core";
import { AUTH_ENDPOINTS, createAuthHttpHandler } from "@auth101/core";
import { Router } from "@koa/router";
import type { Context } from "koa";
import { sendAuthHttpResponse, toAuthHttpRequest } from "./request-translation.js";

export interface Auth101RouterOptions {
  /** Where the endpoints live, e.g. `"/auth"` → `POST /auth/sign-in/email`. Default: none (the root). */
  readonly prefix?: string;
}

/**
 * The auth endpoints (every path of the core's `AUTH_ENDPOINTS`: sign-up, sign-in, sign-out,
 * the session, the sessions, ...; docs/http-api.md lists them) as a `@koa/router` Router,
 * under `options.prefix`:
 *
 * ```ts
 * app.use(auth101Router(auth, { prefix: "/auth" }).routes());
 * ```
 *
 * or nested in your own router with `parent.use("/auth", authRouter.routes())`.
 *
 * Each endpoint path takes every method, so a wrong method gets the core's 405 (with `Allow`)
 * and `allowedMethods()` never answers for these paths. Paths match exactly as written (case
 * and trailing slash), as the core routes them; other paths go on to the next middleware. The
 * body is read and parsed here with the shared 64 KiB limit, so no body parser is needed; if
 * one is mounted earlier, its result is used.
 *
 * One Router, where `@auth101/express` returns a pair with an error middleware: Koa has no
 * middleware that runs after a parser mounted earlier refused a body, so what such a parser
 * refuses it answers itself (the README says how to switch it off on the auth paths).
 */
export function auth101Router(auth: Auth101, options: Auth101RouterOptions = {}): Router {
  const handle = createAuthHttpHandler(auth);

  const endpoints = new Router({
    strict: true,
    sensitive: true,
    ...(options.prefix !== undefined && { prefix: options.prefix }),
  });
  for (const { path } of AUTH_ENDPOINTS) {
    const segments = path.split("/").length - 1;
    // A path without a parameter matched exactly as written: it is the endpoint path itself.
    const endpointPath = path.includes(":") ? (ctx: Context) => lastSegments(ctx.path, segments) : () => path;
    // No async function: the handler's promise is returned as is, one hop fewer per request.
    endpoints.all(path, (ctx, next) =>
      handle(toAuthHttpRequest(ctx, endpointPath(ctx))).then((response) =>
        response === undefined ? next() : sendAuthHttpResponse(ctx, response),
      ),
    );
  }

  return endpoints;
}

/**
 * The endpoint path as the client sent it, relative to the prefix: a `:id` matched one
 * segment, so the endpoint is the path's last `count` segments (the core decodes the
 * parameter). `/auth/sessions/abc`, 2 → `/sessions/abc`.
 */
function lastSegments(path: string, count: number): string {
  let start = path.length;
  for (let found = 0; found < count; found++) {
    start = start === 0 ? -1 : path.lastIndexOf("/", start - 1);
    // Fewer segments than the route has (never after a match): what splitting would give.
    if (start === -1) return `/${path.split("/").slice(-count).join("/")}`;
  }
  return path.slice(start);
}
