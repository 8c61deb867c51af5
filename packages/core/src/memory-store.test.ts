import { describeUserStoreContract } from "./testing/index.js";
import { MemoryStore } from "./memory-store.js";

describeUserStoreContract("MemoryStore", () => new MemoryStore());
