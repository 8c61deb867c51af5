import { answerClientError } from "@auth101/core/node";
import type { AuthUserState } from "@auth101/koa";
import { auth101Router, requireUser } from "@auth101/koa";
import type { Auth101 } from "@auth101/core";
import type { ConformanceServer, StartConformanceServer } from "@auth101/testing";
import { listenOnLoopback } from "@auth101/testing";
import { bodyParser } from "@koa/bodyparser";
import { Router } from "@koa/router";
import Koa from "koa";
import type { Middleware } from "koa";

/** @auth101/koa mounted as its README shows. */
export const startKoaServer: StartConformanceServer = ({ auth, prefix }) => serveKoa(new Koa(), auth, prefix);

/**
 * The same behind an app-wide @koa/bodyparser, as the README sets it up for apps whose parser
 * must run before the auth router: switched off on the auth paths (`ctx.disableBodyParser`).
 */
export const startKoaServerBehindBodyParser: StartConformanceServer = ({ auth, prefix }) => {
  const app = new Koa();
  app.use((ctx, next) => {
    ctx.disableBodyParser = ctx.path.startsWith(`${prefix}/`);
    return next();
  });
  app.use(bodyParser());
  return serveKoa(app, auth, prefix);
};

function serveKoa(app: Koa, auth: Auth101, prefix: string): Promise<ConformanceServer> {
  const authRouter = auth101Router(auth, { prefix });
  app.use(authRouter.routes()).use(authRouter.allowedMethods());
  const router = new Router();
  const protectedRoute: Middleware<AuthUserState> = (ctx) => {
    const { id, email } = ctx.state.authUser;
    ctx.body = { id, email };
  };
  router.get("/protected", requireUser(auth), protectedRoute);
  // POST too: a state-changing route, where the guard makes the CSRF check on a cookie session.
  router.post("/protected", requireUser(auth), protectedRoute);
  app.use(router.routes()).use(router.allowedMethods());
  // As the README says: without it, Node destroys the socket of a request its parser refuses
  // with the error, and Koa's default error log prints that error's stack trace.
  return listenOnLoopback(app.callback(), (server) => server.on("clientError", answerClientError));
}
