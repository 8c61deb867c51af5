import type { Auth101ModuleOptions } from "@auth101/nestjs";
import { Auth101Module } from "@auth101/nestjs";
import type { DynamicModule } from "@nestjs/common";
import { Module } from "@nestjs/common";
import { MeController } from "./me.controller.js";

/**
 * The demo app: the auth endpoints under /auth and a protected GET /me. Auth101Module closes
 * the store (it has a `close()`) once Nest has stopped serving (`app.close()`, or SIGTERM/SIGINT).
 */
@Module({})
export class AppModule {
  static register(auth101Options: Auth101ModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [Auth101Module.forRoot({ path: "auth", ...auth101Options })],
      controllers: [MeController],
    };
  }
}
