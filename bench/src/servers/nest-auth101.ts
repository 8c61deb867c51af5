import "reflect-metadata";
import { Auth101Module } from "@auth101/nestjs";
import { Controller, Get, Module } from "@nestjs/common";
import { BENCH_RATE_LIMITS, HEALTH_BODY, benchSecret } from "./fixtures.js";
import { startNestBenchApp } from "./nest-platform.js";
import { runBenchServer } from "./serve.js";

@Controller()
class HealthController {
  @Get("health")
  health(): typeof HEALTH_BODY {
    return HEALTH_BODY;
  }
}

@Module({
  imports: [Auth101Module.forRoot({ secret: benchSecret(), rateLimit: BENCH_RATE_LIMITS, path: "auth" })],
  controllers: [HealthController],
})
class BenchModule {}

/**
 * @auth101/nestjs as its README mounts it (memory store), plus the trivial route case 4
 * samples, on Express or (NEST_PLATFORM=fastify) on Fastify.
 */
await runBenchServer(() => startNestBenchApp(BenchModule));
