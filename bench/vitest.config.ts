import { defineProject } from "vitest/config";
import { workspaceSourceAliases } from "../vitest.shared.js";

export default defineProject({
  resolve: { alias: workspaceSourceAliases },
  // Only the sources: dist/ holds the compiled harness the smoke test runs.
  test: { name: "bench", include: ["src/**/*.test.ts"] },
});
