export { Auth101Module } from "./auth101.module.js";
export { Auth101Guard, Auth101UnauthorizedException } from "./auth101.guard.js";
export { CurrentUser } from "./current-user.decorator.js";
export type { CurrentUserOptions } from "./current-user.decorator.js";
export { IS_PUBLIC_KEY, Public } from "./public.decorator.js";
export { AUTH101_MODULE_OPTIONS } from "./module-options.js";
export type {
  Auth101ModuleAsyncOptions,
  Auth101ModuleExtras,
  Auth101ModuleOptions,
  Auth101ModuleSyncOptions,
} from "./module-options.js";
export type { RequestWithUser } from "./request-user.js";
