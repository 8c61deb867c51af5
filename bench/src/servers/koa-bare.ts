import { Router } from "@koa/router";
import Koa from "koa";
import { BARE_SESSION_BODY, HEALTH_BODY, HEALTH_PATH } from "./fixtures.js";
import { listen, runBenchServer } from "./serve.js";

/** The baseline for case 2: a @koa/router route answering what `GET /auth/session` answers, with no auth. */
await runBenchServer(async () => {
  const app = new Koa();
  const routes = new Router();
  routes.get("/auth/session", (ctx) => {
    ctx.body = BARE_SESSION_BODY;
  });
  routes.get(HEALTH_PATH, (ctx) => {
    ctx.body = HEALTH_BODY;
  });
  app.use(routes.routes());
  return { server: await listen(app.callback()) };
});
