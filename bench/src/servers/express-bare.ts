import express from "express";
import { BARE_SESSION_BODY, HEALTH_BODY, HEALTH_PATH } from "./fixtures.js";
import { listen, runBenchServer } from "./serve.js";

/** The baseline for case 2: an Express route answering what `GET /auth/session` answers, with no auth. */
await runBenchServer(async () => {
  const app = express();
  app.get("/auth/session", (_req, res) => {
    res.json(BARE_SESSION_BODY);
  });
  app.get(HEALTH_PATH, (_req, res) => {
    res.json(HEALTH_BODY);
  });
  return { server: await listen(app) };
});
