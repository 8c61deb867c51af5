export { describeUserStoreContract } from "./user-store-contract.js";
export type { UserStoreContractOptions } from "./user-store-contract.js";
