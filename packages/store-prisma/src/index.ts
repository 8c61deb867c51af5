export { PrismaUserStore } from "./prisma-user-store.js";
export type {
  Auth101PrismaClient,
  Auth101UserDelegate,
  OpenOptions,
  OpenedPrismaUserStore,
} from "./prisma-user-store.js";
