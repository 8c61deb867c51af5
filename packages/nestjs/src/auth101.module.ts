import { Auth101 } from "@auth101/core";
import type { OnApplicationShutdown } from "@nestjs/common";
import { Inject, Injectable, Module } from "@nestjs/common";
import { Auth101Endpoints } from "./auth101-endpoints.js";
import { Auth101Guard } from "./auth101.guard.js";
import type { Auth101ModuleOptions } from "./module-options.js";
import { AUTH101_MODULE_OPTIONS, Auth101ConfigurableModule } from "./module-options.js";

function createAuth101(options: Auth101ModuleOptions): Auth101 {
  const { path: _mountedAt, ...auth101Options } = options;
  return new Auth101(auth101Options);
}

/**
 * When the app shuts down (`app.close()`, or a signal after `app.enableShutdownHooks()`):
 * lets the emails already asked for (password reset, verification) be stored and sent, then
 * closes the store if it has a `close()`: a store made by
 * `PrismaUserStore.open()` does, typically inside a `forRootAsync` factory where nothing else
 * could reach it. `new PrismaUserStore(prisma)` has none: the app's own client stays the app's.
 */
@Injectable()
class CloseStoreOnShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(AUTH101_MODULE_OPTIONS) private readonly options: Auth101ModuleOptions,
    @Inject(Auth101) private readonly auth: Auth101,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.auth.whenIdle();
    const store = this.options.store as { close?: unknown } | undefined;
    if (typeof store?.close === "function") await (store.close as () => Promise<void>).call(store);
  }
}

/**
 * auth101 for Nest: `Auth101Module.forRoot({ secret, store })` or `forRootAsync({ imports,
 * inject, useFactory })`. Serves the four endpoints under `path` (default `auth`), provides
 * the `Auth101` instance (inject it by its class) and `Auth101Guard`, and closes a store that
 * has a `close()` when the app shuts down. Global unless `isGlobal: false`.
 */
@Module({
  providers: [
    { provide: Auth101, useFactory: createAuth101, inject: [AUTH101_MODULE_OPTIONS] },
    Auth101Guard,
    Auth101Endpoints,
    CloseStoreOnShutdown,
  ],
  exports: [Auth101, Auth101Guard],
})
export class Auth101Module extends Auth101ConfigurableModule {}
