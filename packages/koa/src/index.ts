export { auth101Router } from "./router.js";
export type { Auth101RouterOptions } from "./router.js";
export { requireUser } from "./require-user.js";
export type { AuthUserState } from "./require-user.js";
