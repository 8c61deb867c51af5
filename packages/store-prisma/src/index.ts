export { PrismaUserStore } from "./prisma-user-store.js";
export type {
  Auth101PrismaClient,
  Auth101SessionDelegate,
  Auth101UserDelegate,
  OpenOptions,
  OpenedPrismaUserStore,
  PrismaUserStoreOptions,
} from "./prisma-user-store.js";
