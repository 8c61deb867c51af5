import { auth101Router } from "@auth101/express";
import express from "express";
import { createBenchAuth } from "./auth.js";
import { HEALTH_BODY, HEALTH_PATH } from "./fixtures.js";
import { listen, runBenchServer } from "./serve.js";

/** @auth101/express as its README mounts it, plus the trivial route case 4 samples. */
await runBenchServer(async () => {
  const { auth, close } = await createBenchAuth();
  const app = express();
  app.use("/auth", auth101Router(auth));
  app.get(HEALTH_PATH, (_req, res) => {
    res.json(HEALTH_BODY);
  });
  return { server: await listen(app), close };
});
