import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { Auth101 } from "@auth101/core";
import { loadDemoConfig, openDemoStore } from "@auth101/demo-support";
import { auth101Router, requireUser } from "@auth101/express";
import express from "express";
import type { Express } from "express";

/** The demo app: the auth endpoints under /auth and a protected GET /me. */
export function createApp(auth: Auth101): Express {
  const app = express();
  app.use("/auth", auth101Router(auth));
  app.get("/me", requireUser(auth), (req, res) => {
    // requireUser has run, so authUser is set.
    const { id, email } = req.authUser!;
    res.json({ id, email });
  });
  return app;
}

async function main(): Promise<void> {
  const config = loadDemoConfig();
  const store = await openDemoStore(config);
  const auth = new Auth101({ secret: config.secret, store });

  let server: Server;
  try {
    server = await listen(createApp(auth), config.port, config.host);
  } catch (error) {
    await store.close();
    throw error;
  }
  const { address, port } = server.address() as AddressInfo;
  console.log(`express-demo listening on http://${address}:${port}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`express-demo: ${signal} received, closing`);
    // Requests in flight may finish; a client that keeps its connection open past that is cut.
    setTimeout(() => server.closeAllConnections(), 5_000).unref();
    server.close(() => {
      store.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error("express-demo: closing the store failed:", messageOf(error));
          process.exit(1);
        },
      );
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Express 5 hands a listen error (port taken, ...) to the callback instead of throwing it. */
function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error) => {
      if (error) reject(error);
      else resolve(server);
    });
  });
}

/** Only the message: a driver's error object may carry the connection string. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const startedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (startedDirectly) {
  main().catch((error: unknown) => {
    console.error("express-demo failed to start:", messageOf(error));
    process.exit(1);
  });
}
