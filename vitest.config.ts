import { defineConfig } from "vitest/config";

// CI sets VITEST_JSON_REPORT to a path to get vitest's own counts alongside the usual output.
const jsonReport = process.env["VITEST_JSON_REPORT"];

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "conformance", "bench", "release-check"],
    ...(jsonReport ? { reporters: ["default", "json"], outputFile: { json: jsonReport } } : {}),
  },
});
