import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import Database from "better-sqlite3";
import express from "express";
import { HEALTH_BODY, HEALTH_PATH, benchSecret } from "./fixtures.js";
import { listen, runBenchServer } from "./serve.js";

/**
 * better-auth as its Express guide sets it up: email/password enabled, a better-sqlite3
 * database (its installation guide's `new Database("./sqlite.db")`, here in a temporary
 * directory), the handler mounted on `/api/auth/*splat` before `express.json()`. Every
 * other option is left at its default.
 */
await runBenchServer(async () => {
  const directory = mkdtempSync(join(tmpdir(), "auth101-bench-better-auth-"));
  const database = new Database(join(directory, "sqlite.db"));
  // The port is part of better-auth's baseURL, so listen first and attach the app after.
  const server = await listen();
  const { port } = server.address() as AddressInfo;
  const options = {
    database,
    secret: benchSecret(),
    baseURL: `http://127.0.0.1:${port}`,
    emailAndPassword: { enabled: true },
    telemetry: { enabled: false },
  };
  const { runMigrations } = await getMigrations(options);
  await runMigrations();
  const auth = betterAuth(options);

  const app = express();
  app.all("/api/auth/*splat", toNodeHandler(auth));
  app.use(express.json());
  app.get(HEALTH_PATH, (_req, res) => {
    res.json(HEALTH_BODY);
  });
  server.on("request", app);
  return {
    server,
    close: async () => {
      database.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});
