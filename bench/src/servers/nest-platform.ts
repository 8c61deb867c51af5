import type { Type } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import type { NestFastifyApplication } from "@nestjs/platform-fastify";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import type { RunningBenchServer } from "./serve.js";

/**
 * A Nest app of `module` on 127.0.0.1, port 0, on the platform `NEST_PLATFORM` names (as in
 * the NestJS demo): Express unless it says `fastify`. The catalog runs the Nest servers once
 * per platform, each beside the bare Nest route on the same platform.
 */
export async function startNestBenchApp(module: Type): Promise<RunningBenchServer> {
  const options = { logger: false, abortOnError: false } as const;
  const app =
    process.env["NEST_PLATFORM"] === "fastify"
      ? await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), options)
      : await NestFactory.create<NestExpressApplication>(module, options);
  await app.listen(0, "127.0.0.1");
  return { server: app.getHttpServer(), close: () => app.close() };
}
