// The one framework-specific test helper: a Nest app served as a test starts it. The rest
// (requests, answers, a failing store, the secret for tests) comes from @auth101/testing.
import "reflect-metadata";
import type { INestApplication, ModuleMetadata, NestApplicationOptions } from "@nestjs/common";
import { Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { ExpressAdapter, NestExpressApplication } from "@nestjs/platform-express";
import type { NestFastifyApplication } from "@nestjs/platform-fastify";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import type { ConformanceServer } from "@auth101/testing";

export interface RunningApp extends ConformanceServer {
  readonly app: INestApplication;
}

/** The two HTTP platforms @auth101/nestjs serves on; the tests that hold for both run on each. */
export const PLATFORMS = ["express", "fastify"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A real Nest application listening on 127.0.0.1 on a free port, on Express unless told otherwise. */
export async function serve(
  metadata: ModuleMetadata,
  options: NestApplicationOptions & {
    readonly platform?: Platform;
    readonly configure?: (app: NestExpressApplication & NestFastifyApplication) => void;
    /** An adapter of the app's own making (its own Express instance, Fastify options). */
    readonly adapter?: ExpressAdapter | FastifyAdapter;
  } = {},
): Promise<RunningApp> {
  @Module(metadata)
  class TestAppModule {}

  const { configure, adapter, platform = "express", ...appOptions } = options;
  const chosenAdapter = adapter ?? (platform === "fastify" ? new FastifyAdapter() : undefined);
  const app =
    chosenAdapter === undefined
      ? await NestFactory.create(TestAppModule, { logger: false, ...appOptions })
      : await NestFactory.create(TestAppModule, chosenAdapter, { logger: false, ...appOptions });
  configure?.(app as NestExpressApplication & NestFastifyApplication);
  await app.listen(0, "127.0.0.1");
  return { app, url: await app.getUrl(), close: () => app.close() };
}
