import "reflect-metadata";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { loadDemoConfig, openDemoStore, servePage, startIfEntryPoint } from "@auth101/demo-support";
import type { Auth101ModuleOptions } from "@auth101/nestjs";
import type { LogLevel } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { AppModule } from "./app.module.js";

/**
 * The demo app, not yet listening: the sign-in page at /, the auth endpoints under /auth and
 * a protected GET /me. The store in `auth101Options`, if it has a `close()`, is closed when
 * the app closes.
 */
export async function createApp(
  auth101Options: Auth101ModuleOptions,
  logLevels: LogLevel[] | false = ["error", "warn"],
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(auth101Options), {
    logger: logLevels,
    // Let main() report a startup failure instead of Nest exiting the process.
    abortOnError: false,
  });
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (!servePage(req, res)) next();
  });
  return app;
}

async function main(): Promise<void> {
  const config = loadDemoConfig();
  const store = await openDemoStore(config);

  let app: NestExpressApplication;
  try {
    app = await createApp({ secret: config.secret, store });
  } catch (error) {
    await store.close();
    throw error;
  }
  try {
    // On SIGTERM/SIGINT: stop serving, close the store (see AppModule), exit 0.
    app.enableShutdownHooks(["SIGTERM", "SIGINT"], { useProcessExit: true });
    await app.listen(config.port, config.host);
  } catch (error) {
    await app.close();
    throw error;
  }
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  console.log(`nestjs-demo listening on http://${address}:${port}`);
}

startIfEntryPoint(import.meta.url, "nestjs-demo", main);
