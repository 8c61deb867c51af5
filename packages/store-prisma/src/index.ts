export type { DatabaseConnectionFailure } from "./connection-errors.js";
export { DatabaseConnectionError } from "./connection-errors.js";
export type { OpenOptions } from "./open-options.js";
export { PrismaUserStore } from "./prisma-user-store.js";
export type {
  Auth101PrismaClient,
  Auth101SessionDelegate,
  Auth101UserDelegate,
  OpenedPrismaUserStore,
  PrismaUserStoreOptions,
} from "./prisma-user-store.js";
