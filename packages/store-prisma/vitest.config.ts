import { defineProject } from "vitest/config";
import { workspaceSourceAliases } from "../../vitest.shared.js";

export default defineProject({
  resolve: { alias: workspaceSourceAliases },
  test: {
    name: "store-prisma",
    globalSetup: ["./src/test-support/global-setup.ts"],
    // Real databases, and outage tests that wait out connection timeouts on purpose.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
