import "reflect-metadata";
import type { User } from "@auth101/core";
import type { StartConformanceServer } from "@auth101/testing";
import type { Auth101ModuleOptions } from "@auth101/nestjs";
import { Auth101Guard, Auth101Module, CurrentUser } from "@auth101/nestjs";
import type { Type } from "@nestjs/common";
import { Controller, Get, HttpCode, Module, Post, UseGuards } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import type { NestFastifyApplication } from "@nestjs/platform-fastify";
import { FastifyAdapter } from "@nestjs/platform-fastify";

@Controller()
class ProtectedController {
  @Get("protected")
  @UseGuards(Auth101Guard)
  protectedRoute(@CurrentUser() user: User): { id: string; email: string } {
    return { id: user.id, email: user.email };
  }

  /** A state-changing route, where the guard makes the CSRF check on a cookie session. */
  @Post("protected")
  @HttpCode(200)
  @UseGuards(Auth101Guard)
  protectedPost(@CurrentUser() user: User): { id: string; email: string } {
    return { id: user.id, email: user.email };
  }
}

function conformanceAppModule(authOptions: Auth101ModuleOptions, prefix: string): Type {
  @Module({
    imports: [Auth101Module.forRoot({ ...authOptions, path: prefix })],
    controllers: [ProtectedController],
  })
  class ConformanceAppModule {}
  return ConformanceAppModule;
}

/**
 * @auth101/nestjs mounted as its README shows, on Nest's default platform (Express).
 * `Auth101Module.forRoot` builds its own `Auth101` from options; with the suite's store,
 * secret and issuer it is the same service.
 */
export const startNestServer: StartConformanceServer = async ({ authOptions, prefix }) => {
  const app = await NestFactory.create<NestExpressApplication>(conformanceAppModule(authOptions, prefix), {
    logger: false,
  });
  await app.listen(0, "127.0.0.1");
  return { url: await app.getUrl(), close: () => app.close() };
};

/** The same app on `@nestjs/platform-fastify`, as the README shows. */
export const startNestFastifyServer: StartConformanceServer = async ({ authOptions, prefix }) => {
  const app = await NestFactory.create<NestFastifyApplication>(
    conformanceAppModule(authOptions, prefix),
    new FastifyAdapter(),
    { logger: false },
  );
  await app.listen(0, "127.0.0.1");
  return { url: await app.getUrl(), close: () => app.close() };
};
