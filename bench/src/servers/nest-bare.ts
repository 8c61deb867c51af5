import "reflect-metadata";
import type { PublicUser } from "@auth101/core";
import { Controller, Get, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { BARE_SESSION_BODY, HEALTH_BODY } from "./fixtures.js";
import { runBenchServer } from "./serve.js";

@Controller()
class BareController {
  @Get("auth/session")
  session(): { readonly user: PublicUser } {
    return BARE_SESSION_BODY;
  }

  @Get("health")
  health(): typeof HEALTH_BODY {
    return HEALTH_BODY;
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

/** The baseline for case 1: a Nest controller answering what `GET /auth/session` answers, with no auth. */
await runBenchServer(async () => {
  const app = await NestFactory.create<NestExpressApplication>(BareModule, { logger: false, abortOnError: false });
  await app.listen(0, "127.0.0.1");
  return { server: app.getHttpServer(), close: () => app.close() };
});
