import { fileURLToPath } from "node:url";

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Tests resolve workspace packages to their TypeScript sources, so a change in the core is
 * seen by every integration's tests without a rebuild. Published builds resolve through
 * each package's `exports` map instead.
 */
export const workspaceSourceAliases = [
  { find: /^@auth101\/testing$/, replacement: fromRoot("./packages/testing/src/index.ts") },
  { find: /^@auth101\/core\/node$/, replacement: fromRoot("./packages/core/src/node/index.ts") },
  { find: /^@auth101\/core$/, replacement: fromRoot("./packages/core/src/index.ts") },
  { find: /^@auth101\/store-prisma$/, replacement: fromRoot("./packages/store-prisma/src/index.ts") },
  { find: /^@auth101\/express$/, replacement: fromRoot("./packages/express/src/index.ts") },
  { find: /^@auth101\/koa$/, replacement: fromRoot("./packages/koa/src/index.ts") },
  { find: /^@auth101\/nestjs$/, replacement: fromRoot("./packages/nestjs/src/index.ts") },
  {
    find: /^@auth101\/demo-support\/smtp-inbox$/,
    replacement: fromRoot("./apps/demo-support/src/testing/smtp-inbox.ts"),
  },
  {
    find: /^@auth101\/demo-support\/testing\/browser$/,
    replacement: fromRoot("./apps/demo-support/src/testing/describe-demo-in-browser.ts"),
  },
  {
    find: /^@auth101\/demo-support\/testing$/,
    replacement: fromRoot("./apps/demo-support/src/testing/describe-demo-app.ts"),
  },
];
