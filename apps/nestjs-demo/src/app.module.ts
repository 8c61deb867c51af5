import type { UserStore } from "@auth101/core";
import type { Auth101ModuleOptions } from "@auth101/nestjs";
import { Auth101Module } from "@auth101/nestjs";
import type { DynamicModule, OnApplicationShutdown } from "@nestjs/common";
import { Inject, Injectable, Module } from "@nestjs/common";
import { MeController } from "./me.controller.js";

const DEMO_STORE = Symbol("DEMO_STORE");

/** A store the demo opened itself, such as the Prisma store: it has a connection to close. */
type ClosableStore = UserStore & { close(): Promise<void> };

function isClosable(store: UserStore | undefined): store is ClosableStore {
  return store !== undefined && typeof (store as Partial<ClosableStore>).close === "function";
}

/** Closes the demo's store once Nest has stopped serving (`app.close()`, or SIGTERM/SIGINT). */
@Injectable()
class CloseStoreOnShutdown implements OnApplicationShutdown {
  constructor(@Inject(DEMO_STORE) private readonly store: UserStore | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    if (isClosable(this.store)) await this.store.close();
  }
}

/** The demo app: the auth endpoints under /auth and a protected GET /me. */
@Module({})
export class AppModule {
  static register(auth101Options: Auth101ModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [Auth101Module.forRoot({ path: "auth", ...auth101Options })],
      controllers: [MeController],
      providers: [{ provide: DEMO_STORE, useValue: auth101Options.store }, CloseStoreOnShutdown],
    };
  }
}
