import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { Auth101 } from "@auth101/core";
import { loadDemoConfig, openDemoStore } from "@auth101/demo-support";
import { auth101Router, requireUser } from "@auth101/koa";
import { Router } from "@koa/router";
import Koa from "koa";

/** The demo app: the auth endpoints under /auth and a protected GET /me. */
export function createApp(auth: Auth101): Koa {
  const app = new Koa();

  const authRouter = auth101Router(auth, { prefix: "/auth" });
  app.use(authRouter.routes()).use(authRouter.allowedMethods());

  const appRouter = new Router();
  appRouter.get("/me", requireUser(auth), (ctx) => {
    const { id, email } = ctx.state.authUser;
    ctx.body = { id, email };
  });
  app.use(appRouter.routes()).use(appRouter.allowedMethods());

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
  console.log(`koa-demo listening on http://${address}:${port}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`koa-demo: ${signal} received, closing`);
    // Requests in flight may finish; a client that keeps its connection open past that is cut.
    setTimeout(() => server.closeAllConnections(), 5_000).unref();
    server.close(() => {
      store.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error("koa-demo: closing the store failed:", messageOf(error));
          process.exit(1);
        },
      );
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Resolves once listening; rejects when the port cannot be had (taken, not permitted). */
function listen(app: Koa, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once("listening", () => resolve(server));
    server.once("error", reject);
  });
}

/** Only the message: a driver's error object may carry the connection string. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const startedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (startedDirectly) {
  main().catch((error: unknown) => {
    console.error("koa-demo failed to start:", messageOf(error));
    process.exit(1);
  });
}
