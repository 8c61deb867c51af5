import type { Auth101 } from "@auth101/core";
import { AUTH_ENDPOINTS, createAuthHttpHandler } from "@auth101/core";
import { Router } from "@koa/router";
import { sendAuthHttpResponse, toAuthHttpRequest } from "./request-translation.js";

export interface Auth101RouterOptions {
  /** Where the endpoints live, e.g. `"/auth"` → `POST /auth/sign-in/email`. Default: none (the root). */
  readonly prefix?: string;
}

/**
 * The auth endpoints (`POST /sign-up/email`, `POST /sign-in/email`, `POST /sign-out`,
 * `POST /sign-out/all`, `GET /session`, `GET /sessions`, `DELETE /sessions/:id`) as a
 * `@koa/router` Router, under `options.prefix`:
 *
 * ```ts
 * app.use(auth101Router(auth, { prefix: "/auth" }).routes());
 * ```
 *
 * or nested in your own router with `parent.use("/auth", authRouter.routes())`.
 *
 * Each endpoint path takes every method, so a wrong method gets the core's 405 (with `Allow`)
 * and `allowedMethods()` never answers for these paths. Paths match exactly as written (case
 * and trailing slash), as the core routes them.
 */
export function auth101Router(auth: Auth101, options: Auth101RouterOptions = {}): Router {
  const handle = createAuthHttpHandler(auth);
  const router = new Router({
    strict: true,
    sensitive: true,
    ...(options.prefix !== undefined && { prefix: options.prefix }),
  });
  for (const { path } of AUTH_ENDPOINTS) {
    const segments = path.split("/").length - 1;
    router.all(path, async (ctx, next) => {
      // The path as the client sent it, relative to the prefix: a `:id` matched one segment,
      // so the endpoint is the last `segments` segments. The core decodes the parameter.
      const relativePath = `/${ctx.path.split("/").slice(-segments).join("/")}`;
      const response = await handle(toAuthHttpRequest(ctx, relativePath));
      if (response === undefined) return next();
      sendAuthHttpResponse(ctx, response);
    });
  }
  return router;
}
