export { auth101Router } from "./router.js";
export type { Auth101Router } from "./router.js";
export { optionalUser, requireUser } from "./require-user.js";
