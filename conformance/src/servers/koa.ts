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
  return listenOnLoopback(app.callback());
};
