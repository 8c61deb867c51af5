import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "release-check",
    include: ["src/**/*.test.ts"],
    globalSetup: ["src/global-setup.ts"],
    // Installs, compiles and starts servers in fresh projects: seconds per test, not millis.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
