export { auth101Router } from "./router.js";
export type { Auth101RouterOptions } from "./router.js";
export { optionalUser, requireUser } from "./require-user.js";
export type { AuthUserState, OptionalAuthUserState } from "./require-user.js";
