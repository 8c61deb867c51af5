import type { Auth101Options } from "@auth101/core";
import { ConfigurableModuleBuilder } from "@nestjs/common";

/** What `Auth101Module.forRoot()` takes, and what a `forRootAsync()` factory resolves to. */
export interface Auth101ModuleOptions extends Auth101Options {
  /**
   * Where the four endpoints are mounted, from the server root: `"auth"` (the default) serves
   * `POST /auth/sign-up/email` and so on. Nest's global prefix does not apply to it; write
   * `"api/auth"` to have them under `/api`.
   */
  readonly path?: string;
}

/** Options of the module definition itself, given next to the auth101 options. */
export interface Auth101ModuleExtras {
  /** Registers the module globally, so any module can use `Auth101Guard` and inject `Auth101`. Default `true`. */
  readonly isGlobal: boolean;
}

export const {
  ConfigurableModuleClass: Auth101ConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTH101_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<Auth101ModuleOptions>({ moduleName: "Auth101" })
  .setClassMethodName("forRoot")
  .setExtras<Auth101ModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** The argument of `Auth101Module.forRoot()`. */
export type Auth101ModuleSyncOptions = typeof OPTIONS_TYPE;
/** The argument of `Auth101Module.forRootAsync()`: `{ imports, inject, useFactory }` and friends. */
export type Auth101ModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;

export const DEFAULT_PATH = "auth";

/** `"/auth"` from `"auth"`, `"/auth/"` or `"/auth"`; throws on what Express would read as a pattern. */
export function mountPathOf(path: string | undefined = DEFAULT_PATH): string {
  if (typeof path !== "string") {
    throw new TypeError(`auth101: Auth101Module option "path" must be a string such as "auth"; got ${typeof path}`);
  }
  const segments = path.split("/").filter((segment) => segment !== "");
  if (segments.length === 0) {
    throw new TypeError(`auth101: Auth101Module option "path" must name a path such as "auth"; got "${path}"`);
  }
  for (const segment of segments) {
    if (!/^[A-Za-z0-9._~-]+$/.test(segment) || segment === "." || segment === "..") {
      throw new TypeError(
        `auth101: Auth101Module option "path" may hold only letters, digits and . _ ~ - between slashes; got "${path}"`,
      );
    }
  }
  return `/${segments.join("/")}`;
}
