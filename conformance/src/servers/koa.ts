import { answerClientError } from "@auth101/core/node";
import { auth101Router, requireUser } from "@auth101/koa";
import type { StartConformanceServer } from "@auth101/testing";
import { listenOnLoopback } from "@auth101/testing";
import { Router } from "@koa/router";
import Koa from "koa";

/** @auth101/koa mounted as its README shows. */
export const startKoaServer: StartConformanceServer = async ({ auth, prefix }) => {
  const app = new Koa();
  const authRouter = auth101Router(auth, { prefix });
  app.use(authRouter.routes()).use(authRouter.allowedMethods());
  const router = new Router();
  router.get("/protected", requireUser(auth), (ctx) => {
    const { id, email } = ctx.state.authUser;
    ctx.body = { id, email };
  });
  app.use(router.routes()).use(router.allowedMethods());
  // As the README says: without it, Node destroys the socket of a request its parser refuses
  // with the error, and Koa's default error log prints that error's stack trace.
  return listenOnLoopback(app.callback(), (server) => server.on("clientError", answerClientError));
};
