import "reflect-metadata";
import type { PublicUser } from "@auth101/core";
import { Controller, Get, Module } from "@nestjs/common";
import { BARE_SESSION_BODY, HEALTH_BODY } from "./fixtures.js";
import { startNestBenchApp } from "./nest-platform.js";
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

/**
 * The baseline for case 2: a Nest controller answering what `GET /auth/session` answers, with
 * no auth, on Express or (NEST_PLATFORM=fastify) on Fastify.
 */
await runBenchServer(() => startNestBenchApp(BareModule));
