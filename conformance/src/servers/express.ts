import { auth101Router, requireUser } from "@auth101/express";
import type { StartConformanceServer } from "@auth101/testing";
import { listenOnLoopback } from "@auth101/testing";
import express from "express";
import type { RequestHandler } from "express";

const protectedRoute: RequestHandler = (req, res) => {
  const { id, email } = req.authUser!;
  res.json({ id, email });
};

/** @auth101/express mounted as its README shows. */
export const startExpressServer: StartConformanceServer = async ({ auth, prefix }) => {
  const app = express();
  app.use(prefix, auth101Router(auth));
  app.get("/protected", requireUser(auth), protectedRoute);
  // POST too: a state-changing route, where the guard makes the CSRF check on a cookie session.
  app.post("/protected", requireUser(auth), protectedRoute);
  return listenOnLoopback(app);
};

/** The same behind an app-wide `express.json()`, which many apps mount before everything. */
export const startExpressServerBehindJsonParser: StartConformanceServer = async ({ auth, prefix }) => {
  const app = express();
  app.use(express.json());
  app.use(prefix, auth101Router(auth));
  app.get("/protected", requireUser(auth), protectedRoute);
  // POST too: a state-changing route, where the guard makes the CSRF check on a cookie session.
  app.post("/protected", requireUser(auth), protectedRoute);
  return listenOnLoopback(app);
};
