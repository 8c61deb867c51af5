import type { Auth101, AuthHttpResponse, GuardedRequest, User } from "@auth101/core";
import { authenticateRequest, optionalAuthentication } from "@auth101/core";
import type { DefaultState, Middleware } from "koa";
import { sendAuthHttpResponse, toGuardedRequest } from "./request-translation.js";

/** What `requireUser` adds to `ctx.state` for the middleware after it. */
export interface AuthUserState {
  authUser: User;
}

/**
 * Middleware for the app's own routes that need a signed-in user: with a valid
 * `Authorization: Bearer <token>` (or session cookie, CSRF-checked when the request changes
 * state) of an existing, active user it sets `ctx.state.authUser` and
 * calls `next()`; otherwise it answers 401 with the error body and `WWW-Authenticate`
 * (UNAUTHORIZED, INVALID_TOKEN or USER_NOT_FOUND), or 503 when the user store is down.
 */
export function requireUser<StateT = DefaultState>(auth: Auth101): Middleware<StateT & AuthUserState> {
  return guard<StateT, AuthUserState>((request) => authenticateRequest(auth, request));
}

/** What `optionalUser` adds to `ctx.state`: the user, or `undefined` for an anonymous request. */
export interface OptionalAuthUserState {
  authUser: User | undefined;
}

/**
 * Middleware for routes where signing in is optional: with a valid session it sets
 * `ctx.state.authUser`, without one (or with one that is not accepted) it leaves it
 * `undefined`, and either way calls `next()`. Only a failing check answers instead: 503 when
 * the store is down, never a silent anonymous.
 */
export function optionalUser<StateT = DefaultState>(auth: Auth101): Middleware<StateT & OptionalAuthUserState> {
  return guard<StateT, OptionalAuthUserState>((request) => optionalAuthentication(auth, request));
}

/** Runs the check, then hands its user to the middleware after it or sends its answer. */
function guard<StateT, Added extends OptionalAuthUserState>(
  check: (
    request: GuardedRequest,
  ) => Promise<{ readonly user: Added["authUser"] } | { readonly response: AuthHttpResponse }>,
): Middleware<StateT & Added> {
  return async (ctx, next) => {
    const authentication = await check(toGuardedRequest(ctx));
    if ("response" in authentication) {
      sendAuthHttpResponse(ctx, authentication.response);
      return;
    }
    ctx.state.authUser = authentication.user;
    await next();
  };
}
