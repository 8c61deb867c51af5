import { describeHttpConformance } from "@auth101/core/testing";
import { Router } from "@koa/router";
import Koa from "koa";
import { auth101Router, requireUser } from "./index.js";
import { listen } from "./test-support.js";

describeHttpConformance("koa", async ({ auth, prefix }) => {
  const app = new Koa();
  const authRouter = auth101Router(auth, { prefix });
  app.use(authRouter.routes()).use(authRouter.allowedMethods());
  const appRouter = new Router();
  appRouter.get("/protected", requireUser(auth), (ctx) => {
    ctx.body = { id: ctx.state.authUser.id, email: ctx.state.authUser.email };
  });
  app.use(appRouter.routes()).use(appRouter.allowedMethods());
  return listen(app);
});
