import { MemoryStore } from "@auth101/core";
import { describeUserStoreContract } from "./index.js";

// The core's own store, here rather than in the core: the core does not depend on its test kit.
describeUserStoreContract("MemoryStore", () => new MemoryStore());
