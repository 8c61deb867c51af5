import { Auth101 } from "@auth101/core";
import type { Auth101ModuleOptions } from "@auth101/nestjs";
import { Auth101Module } from "@auth101/nestjs";
import type { DynamicModule, OnApplicationShutdown } from "@nestjs/common";
import { Inject, Injectable, Module } from "@nestjs/common";
import { MeController } from "./me.controller.js";
import { OpenApiController } from "./openapi.controller.js";

const DEMO_MAILER = Symbol("DEMO_MAILER");

/** What sends the demo's emails, if it holds a connection: closed on shutdown. */
export interface ClosableMailer {
  close(): void;
}

/** Closes the demo's mailer once the emails already asked for have gone out. */
@Injectable()
class CloseMailerOnShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(Auth101) private readonly auth: Auth101,
    @Inject(DEMO_MAILER) private readonly mailer: ClosableMailer | undefined,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.auth.whenIdle();
    this.mailer?.close();
  }
}

/**
 * The demo app: the auth endpoints under /auth, their OpenAPI document at GET /auth/openapi.json
 * and a protected GET /me. Auth101Module closes
 * the store (it has a `close()`) once Nest has stopped serving (`app.close()`, or SIGTERM/SIGINT)
 * and the emails already asked for have gone out; the mailer is closed then too.
 */
@Module({})
export class AppModule {
  static register(auth101Options: Auth101ModuleOptions, mailer?: ClosableMailer): DynamicModule {
    return {
      module: AppModule,
      imports: [Auth101Module.forRoot({ path: "auth", ...auth101Options })],
      controllers: [MeController, OpenApiController],
      providers: [{ provide: DEMO_MAILER, useValue: mailer }, CloseMailerOnShutdown],
    };
  }
}
