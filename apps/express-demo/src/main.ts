import type { Auth101 } from "@auth101/core";
import { openApiDocument } from "@auth101/core";
import { serveDemo, servePage, startIfEntryPoint } from "@auth101/demo-support";
import { auth101Router, requireUser } from "@auth101/express";
import express from "express";
import type { Express } from "express";

/**
 * The demo app: the sign-in page at /, the auth endpoints under /auth, their OpenAPI document at
 * GET /auth/openapi.json and a protected GET /me.
 */
export function createApp(auth: Auth101): Express {
  const app = express();
  app.use((req, res, next) => {
    if (!servePage(req, res)) next();
  });
  app.get("/auth/openapi.json", (_req, res) => {
    res.json(openApiDocument({ prefix: "/auth", auth }));
  });
  app.use("/auth", auth101Router(auth));
  app.get("/me", requireUser(auth), (req, res) => {
    // requireUser has run, so authUser is set.
    const { id, email } = req.authUser!;
    res.json({ id, email });
  });
  return app;
}

startIfEntryPoint(import.meta.url, "express-demo", () => serveDemo("express-demo", createApp));
