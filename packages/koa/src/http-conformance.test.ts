import type { ConformanceServer } from "@auth101/testing";
import { describeHttpConformance } from "@auth101/testing";
import { bodyParser } from "@koa/bodyparser";
import { Router } from "@koa/router";
import Koa from "koa";
import { auth101Router, requireUser } from "./index.js";
import { serve } from "./test-support/serve.js";

function startApp(
  auth: Parameters<typeof auth101Router>[0],
  prefix: string,
  before: Koa.Middleware[] = [],
): Promise<ConformanceServer> {
  const app = new Koa();
  for (const middleware of before) app.use(middleware);
  const authRouter = auth101Router(auth, { prefix });
  app.use(authRouter.routes()).use(authRouter.allowedMethods());
  const appRouter = new Router();
  for (const method of ["get", "post"] as const) {
    appRouter[method]("/protected", requireUser(auth), (ctx) => {
      ctx.body = { id: ctx.state.authUser.id, email: ctx.state.authUser.email };
    });
  }
  app.use(appRouter.routes()).use(appRouter.allowedMethods());
  return serve(app);
}

describeHttpConformance("koa", ({ auth, prefix }) => startApp(auth, prefix));

// The README's setup for apps whose body parser must run before the auth router: the parser is
// switched off on the auth paths (@koa/bodyparser's documented ctx.disableBodyParser).
describeHttpConformance("koa behind @koa/bodyparser", ({ auth, prefix }) =>
  startApp(auth, prefix, [
    (ctx, next) => {
      ctx.disableBodyParser = ctx.path.startsWith(`${prefix}/`);
      return next();
    },
    bodyParser(),
  ]),
);
