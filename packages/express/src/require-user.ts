import type { Auth101, GuardedRequest, OptionalAuthentication, User } from "@auth101/core";
import { authenticateRequest, optionalAuthentication } from "@auth101/core";
import { sendNodeResponse } from "@auth101/core/node";
import type { RequestHandler } from "express";
import { toGuardedRequest } from "./request-translation.js";

declare global {
  // Express's own extension point for request properties (declaration merging).
  namespace Express {
    interface Request {
      /**
       * The signed-in user, set by `requireUser(auth)` on the routes it guards; `undefined`
       * elsewhere. Our own name, so it never clashes with passport's `req.user`.
       */
      authUser?: User | undefined;
    }
  }
}

/**
 * Middleware for the app's own routes that need a signed-in user: with a valid
 * `Authorization: Bearer <token>` (or session cookie, CSRF-checked when the request changes
 * state) of an existing, active user it sets `req.authUser` and
 * calls `next()`; otherwise it answers 401 with the error body and `WWW-Authenticate`
 * (UNAUTHORIZED, INVALID_TOKEN or USER_NOT_FOUND), or 503 when the user store is down.
 */
export function requireUser(auth: Auth101): RequestHandler {
  return guard((request) => authenticateRequest(auth, request));
}

/**
 * Middleware for routes where signing in is optional: with a valid session it sets
 * `req.authUser`, without one (or with one that is not accepted) it leaves it `undefined`, and
 * either way calls `next()`. Only a failing check answers instead: 503 when the store is down,
 * never a silent anonymous.
 */
export function optionalUser(auth: Auth101): RequestHandler {
  return guard((request) => optionalAuthentication(auth, request));
}

/** Runs the check, then hands its user to the route or sends its answer. */
function guard(check: (request: GuardedRequest) => Promise<OptionalAuthentication>): RequestHandler {
  return (req, res, next) => {
    check(toGuardedRequest(req)).then((authentication) => {
      if ("response" in authentication) {
        sendNodeResponse(res, authentication.response);
        return;
      }
      req.authUser = authentication.user;
      next();
    }, next);
  };
}
