import { Auth101 } from "@auth101/core";
import { Module } from "@nestjs/common";
import { Auth101Endpoints } from "./auth101-endpoints.js";
import { Auth101Guard } from "./auth101.guard.js";
import type { Auth101ModuleOptions } from "./module-options.js";
import { AUTH101_MODULE_OPTIONS, Auth101ConfigurableModule } from "./module-options.js";

function createAuth101(options: Auth101ModuleOptions): Auth101 {
  const { path: _mountedAt, ...auth101Options } = options;
  return new Auth101(auth101Options);
}

/**
 * auth101 for Nest: `Auth101Module.forRoot({ secret, store })` or `forRootAsync({ imports,
 * inject, useFactory })`. Serves the four endpoints under `path` (default `auth`), provides
 * the `Auth101` instance (inject it by its class) and `Auth101Guard`. Global unless
 * `isGlobal: false`.
 */
@Module({
  providers: [
    { provide: Auth101, useFactory: createAuth101, inject: [AUTH101_MODULE_OPTIONS] },
    Auth101Guard,
    Auth101Endpoints,
  ],
  exports: [Auth101, Auth101Guard],
})
export class Auth101Module extends Auth101ConfigurableModule {}
