import { defineProject } from "vitest/config";
import { workspaceSourceAliases } from "../../vitest.shared.js";

// EXPRESS_UNDER_TEST=/path/to/node_modules/express runs the suite against another copy of Express.
const expressUnderTest = process.env["EXPRESS_UNDER_TEST"];

export default defineProject({
  resolve: {
    alias: [
      ...workspaceSourceAliases,
      ...(expressUnderTest ? [{ find: /^express$/, replacement: expressUnderTest }] : []),
    ],
  },
  test: { name: "express" },
});
