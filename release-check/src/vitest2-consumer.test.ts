// An app pinned to vitest 2 installs every runtime package with plain `npm install`: an auth
// library must never touch its user's test runner (npm used to crash on the core's optional
// vitest peer, or upgrade vitest silently). Only @auth101/testing may ask for vitest.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, inject, it } from "vitest";
import { run } from "./processes.js";

const tarballs = inject("tarballs");
const workDir = inject("releaseWorkDir");
const PINNED_VITEST = "2.1.9";

it(`installs every runtime package with npm into an app pinned to vitest ${PINNED_VITEST}, leaving vitest alone`, async () => {
  const runtime = tarballs.filter((tarball) => tarball.name !== "@auth101/testing");
  expect(runtime.map((tarball) => tarball.name)).toContain("@auth101/core");
  const dir = join(workDir, "consumers", "npm-vitest-2");
  mkdirSync(dir, { recursive: true });
  const dependencies = Object.fromEntries(runtime.map((tarball) => [tarball.name, `file:${tarball.file}`]));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      {
        name: "auth101-consumer-npm-vitest-2",
        private: true,
        type: "module",
        dependencies,
        devDependencies: { vitest: PINNED_VITEST },
        // The packed `^x.y.z` ranges on @auth101/core point at the registry, where this build is
        // not published: send them to the tarball, as `npm publish` would make them resolve.
        overrides: Object.fromEntries(runtime.map((tarball) => [tarball.name, `$${tarball.name}`])),
      },
      null,
      2,
    ),
  );
  // Install scripts of third-party peers (Prisma's engines) would download binaries; what is
  // proved here is npm's dependency resolution, which runs before any script.
  const result = await run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: dir,
    timeoutMs: 600_000,
  });
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const installed = JSON.parse(readFileSync(join(dir, "node_modules", "vitest", "package.json"), "utf8")) as {
    version: string;
  };
  expect(installed.version).toBe(PINNED_VITEST);
}, 660_000);
