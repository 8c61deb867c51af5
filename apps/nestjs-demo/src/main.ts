import "reflect-metadata";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerClientError } from "@auth101/core/node";
import {
  createDemoMailer,
  demoEmailOptions,
  describeMailDelivery,
  loadDemoConfig,
  openDemoStore,
  servePage,
  startIfEntryPoint,
} from "@auth101/demo-support";
import type { Auth101ModuleOptions } from "@auth101/nestjs";
import type { INestApplication, LogLevel } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import type { NestFastifyApplication } from "@nestjs/platform-fastify";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import type { ClosableMailer } from "./app.module.js";
import { AppModule } from "./app.module.js";

/** The HTTP platforms the demo runs on: Nest's default, Express, or Fastify. */
export const NEST_PLATFORMS = ["express", "fastify"] as const;
export type NestPlatform = (typeof NEST_PLATFORMS)[number];

/** The platform `NEST_PLATFORM` names: `express` when unset, `fastify` on request. */
export function nestPlatformOf(env: NodeJS.ProcessEnv = process.env): NestPlatform {
  const value = env["NEST_PLATFORM"] || "express";
  const platform = NEST_PLATFORMS.find((candidate) => candidate === value);
  if (platform === undefined) throw new Error(`NEST_PLATFORM must be "express" or "fastify"; got "${value}"`);
  return platform;
}

/**
 * The demo app, not yet listening: the sign-in page at /, the auth endpoints under /auth and
 * a protected GET /me, on `platform` (Express unless told otherwise). When the app closes, the
 * emails already asked for go out, then `mailer` and the store in `auth101Options` (if it has
 * a `close()`) are closed.
 */
export async function createApp(
  auth101Options: Auth101ModuleOptions,
  logLevels: LogLevel[] | false = ["error", "warn"],
  platform: NestPlatform = "express",
  mailer?: ClosableMailer,
): Promise<INestApplication> {
  const module = AppModule.register(auth101Options, mailer);
  // abortOnError: let main() report a startup failure instead of Nest exiting the process.
  const options = { logger: logLevels, abortOnError: false };
  // Requests Node's HTTP parser refuses get the JSON error envelope too, not a bare status
  // line (Express) or Fastify's own error body.
  const app =
    platform === "fastify"
      ? await NestFactory.create<NestFastifyApplication>(
          module,
          new FastifyAdapter({ clientErrorHandler: answerClientError }),
          options,
        )
      : await NestFactory.create<NestExpressApplication>(module, options);
  if (platform === "express") app.getHttpServer().on("clientError", answerClientError);
  // Node middleware on either platform (Nest runs it through @fastify/middie on Fastify).
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (!servePage(req, res)) next();
  });
  return app;
}

async function main(): Promise<void> {
  const config = loadDemoConfig();
  const platform = nestPlatformOf();
  const store = await openDemoStore(config);
  const mailer = createDemoMailer(config.smtpUrl);
  let listeningUrl = `http://${config.host}:${config.port}`;

  let app: INestApplication;
  try {
    app = await createApp(
      { secret: config.secret, store, ...demoEmailOptions(config, mailer, () => listeningUrl) },
      undefined,
      platform,
      mailer,
    );
  } catch (error) {
    mailer.close();
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
  listeningUrl = `http://${address}:${port}`;
  console.log(`nestjs-demo listening on ${listeningUrl} (NestJS on ${platform}); ${describeMailDelivery(config)}`);
}

startIfEntryPoint(import.meta.url, "nestjs-demo", main);
