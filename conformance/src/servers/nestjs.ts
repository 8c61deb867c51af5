import "reflect-metadata";
import type { User } from "@auth101/core";
import type { StartConformanceServer } from "@auth101/core/testing";
import { Auth101Guard, Auth101Module, CurrentUser } from "@auth101/nestjs";
import { Controller, Get, HttpCode, Module, Post, UseGuards } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";

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

/**
 * @auth101/nestjs mounted as its README shows. `Auth101Module.forRoot` builds its own
 * `Auth101` from options; with the suite's store, secret and issuer it is the same service.
 */
export const startNestServer: StartConformanceServer = async ({ authOptions, prefix }) => {
  @Module({
    imports: [Auth101Module.forRoot({ ...authOptions, path: prefix })],
    controllers: [ProtectedController],
  })
  class ConformanceAppModule {}

  const app = await NestFactory.create<NestExpressApplication>(ConformanceAppModule, { logger: false });
  await app.listen(0, "127.0.0.1");
  return { url: await app.getUrl(), close: () => app.close() };
};
