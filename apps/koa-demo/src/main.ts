import type { Auth101 } from "@auth101/core";
import { openApiDocument } from "@auth101/core";
import { pageAnswer, serveDemo, startIfEntryPoint } from "@auth101/demo-support";
import { auth101Router, requireUser } from "@auth101/koa";
import { Router } from "@koa/router";
import Koa from "koa";

/**
 * The demo app: the sign-in page at /, the auth endpoints under /auth, their OpenAPI document at
 * GET /auth/openapi.json and a protected GET /me.
 */
export function createApp(auth: Auth101): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    const page = pageAnswer(ctx.method, ctx.url);
    if (page === undefined) return next();
    ctx.status = page.status;
    ctx.set(page.headers);
    ctx.body = page.body;
  });

  const authRouter = auth101Router(auth, { prefix: "/auth" });
  app.use(authRouter.routes()).use(authRouter.allowedMethods());

  const appRouter = new Router();
  appRouter.get("/auth/openapi.json", (ctx) => {
    ctx.body = openApiDocument({ prefix: "/auth", auth });
  });
  appRouter.get("/me", requireUser(auth), (ctx) => {
    const { id, email } = ctx.state.authUser;
    ctx.body = { id, email };
  });
  app.use(appRouter.routes()).use(appRouter.allowedMethods());

  return app;
}

startIfEntryPoint(import.meta.url, "koa-demo", () => serveDemo("koa-demo", (auth) => createApp(auth).callback()));
