import type { Auth101, User } from "@auth101/core";
import { authenticateRequest } from "@auth101/core";
import type { DefaultState, Middleware } from "koa";
import { sendAuthHttpResponse } from "./request-translation.js";

/** What `requireUser` adds to `ctx.state` for the middleware after it. */
export interface AuthUserState {
  authUser: User;
}

/**
 * "Require a signed-in user": with a valid `Authorization: Bearer <token>` the `User` is put on
 * `ctx.state.authUser` and the next middleware runs; otherwise the core's 401 (or 503 when the
 * store is down) is answered with the JSON error body.
 */
export function requireUser<StateT = DefaultState>(auth: Auth101): Middleware<StateT & AuthUserState> {
  return async (ctx, next) => {
    const authentication = await authenticateRequest(auth, ctx.request.headers.authorization);
    if ("response" in authentication) {
      sendAuthHttpResponse(ctx, authentication.response);
      return;
    }
    ctx.state.authUser = authentication.user;
    await next();
  };
}
