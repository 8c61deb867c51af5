import { auth101Router } from "@auth101/koa";
import { Router } from "@koa/router";
import Koa from "koa";
import { createBenchAuth } from "./auth.js";
import { HEALTH_BODY, HEALTH_PATH } from "./fixtures.js";
import { listen, runBenchServer } from "./serve.js";

/** @auth101/koa as its README mounts it, plus the trivial route case 4 samples. */
await runBenchServer(async () => {
  const { auth, close } = await createBenchAuth();
  const app = new Koa();
  const routes = new Router();
  routes.get(HEALTH_PATH, (ctx) => {
    ctx.body = HEALTH_BODY;
  });
  app.use(auth101Router(auth, { prefix: "/auth" }).routes());
  app.use(routes.routes());
  return { server: await listen(app.callback()), close };
});
