// Each package the way a user meets it: a fresh project outside the workspace installs only
// the tarballs it needs (plus third-party packages from the registry), then imports and
// requires it, type-checks a consumer against the published types and runs a real server.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ConsumerProject, lowestPeers } from "./consumer-project.js";
import type { ConsumerProjectSpec } from "./consumer-project.js";

const tarballs = inject("tarballs");
const workDir = inject("releaseWorkDir");

interface Scenario extends ConsumerProjectSpec {
  /** The package under test: every one of its entry points is imported and required. */
  readonly subject: string;
  /** What the tests are named after, when the auth101 packages alone do not tell scenarios apart. */
  readonly label?: string;
  /** Whether the fixture has vitest suites (`*.test.ts`) to run in the project. */
  readonly hasTestSuite?: boolean;
  /**
   * Entry points meant to be imported inside a vitest run only. vitest 4 lets them load
   * anywhere, vitest 3 (allowed by the peer range) refuses outside a run, so with
   * RELEASE_CHECK_PEERS=lowest only the fixture's suite loads them.
   */
  readonly testKitEntryPoints?: readonly string[];
  /** Packages this installation must not contain. */
  readonly forbidden: readonly RegExp[];
}

const koa = /^(koa|@koa\/.*)$/;
const nest = /^@nestjs\//;
const prisma = /^(prisma|@prisma\/.*|@libsql\/.*)$/;
const express = /^express$/;
// The test kit's peers: only someone who installs @auth101/testing gets them.
const testKit = /^(vitest|fast-check)$/;

const scenarios: readonly Scenario[] = [
  {
    fixture: "core",
    subject: "@auth101/core",
    auth101: ["@auth101/core"],
    dependencies: [],
    devDependencies: ["typescript", "@types/node"],
    forbidden: [express, koa, nest, prisma, testKit],
  },
  {
    fixture: "testing",
    subject: "@auth101/testing",
    auth101: ["@auth101/core", "@auth101/testing"],
    dependencies: [],
    // Store authors and integration authors run the kits: its peers vitest and fast-check.
    devDependencies: ["typescript", "@types/node", "vitest", "fast-check"],
    hasTestSuite: true,
    testKitEntryPoints: ["@auth101/testing"],
    forbidden: [express, koa, nest, prisma],
  },
  {
    fixture: "express",
    subject: "@auth101/express",
    auth101: ["@auth101/core", "@auth101/express"],
    dependencies: ["express"],
    devDependencies: ["typescript", "@types/node", "@types/express"],
    forbidden: [koa, nest, prisma, testKit],
  },
  {
    fixture: "koa",
    subject: "@auth101/koa",
    auth101: ["@auth101/core", "@auth101/koa"],
    dependencies: ["koa", "@koa/router"],
    devDependencies: ["typescript", "@types/node", "@types/koa"],
    forbidden: [express, nest, prisma, testKit],
  },
  {
    fixture: "nestjs",
    subject: "@auth101/nestjs",
    auth101: ["@auth101/core", "@auth101/nestjs"],
    dependencies: ["@nestjs/common", "@nestjs/core", "@nestjs/platform-express", "reflect-metadata", "rxjs"],
    devDependencies: ["typescript", "@types/node"],
    compilerOptions: { experimentalDecorators: true },
    sharedFixtures: ["nest-app.ts"],
    // @nestjs/core's declarations import @standard-schema/spec, which only @nestjs/common
    // declares; npm's flat node_modules and pnpm's default hoisting hide that, `hoist: false`
    // does not. Hoist just that one, so the rest stays strict.
    hoistPattern: ["@standard-schema/spec"],
    forbidden: [koa, prisma, testKit],
  },
  {
    fixture: "nestjs-fastify",
    subject: "@auth101/nestjs",
    label: "@auth101/core + @auth101/nestjs on Fastify",
    auth101: ["@auth101/core", "@auth101/nestjs"],
    dependencies: ["@nestjs/common", "@nestjs/core", "@nestjs/platform-fastify", "reflect-metadata", "rxjs"],
    devDependencies: ["typescript", "@types/node"],
    compilerOptions: { experimentalDecorators: true },
    sharedFixtures: ["nest-app.ts"],
    // Also fastify: the declarations of @fastify/cors (a dependency of the platform) import it
    // without declaring it.
    hoistPattern: ["@standard-schema/spec", "fastify"],
    // Neither platform is a dependency of @auth101/nestjs: a Fastify app installs no Express.
    forbidden: [express, /^@nestjs\/platform-express$/, koa, prisma, testKit],
  },
  {
    fixture: "store-prisma",
    subject: "@auth101/store-prisma",
    auth101: ["@auth101/core", "@auth101/store-prisma"],
    // What the README asks for SQLite: the client runtime and the libsql driver adapter; no
    // prisma CLI, no generate step (the package ships its generated client).
    dependencies: ["@prisma/client", "@prisma/adapter-libsql"],
    devDependencies: ["typescript", "@types/node"],
    forbidden: [express, koa, nest, /^prisma$/, /^@prisma\/(engines|adapter-pg|adapter-mariadb)$/, testKit],
  },
];

/** Every subpath a package exports (`@auth101/core`, `@auth101/testing`), JSON files aside. */
function entryPoints(packageName: string): string[] {
  const tarball = tarballs.find((candidate) => candidate.name === packageName);
  if (tarball === undefined) throw new Error(`no tarball for ${packageName}`);
  const manifest = JSON.parse(readFileSync(join(tarball.unpackedDir, "package.json"), "utf8")) as {
    exports: Record<string, unknown>;
  };
  return Object.keys(manifest.exports)
    .filter((subpath) => !subpath.endsWith(".json"))
    .map((subpath) => (subpath === "." ? packageName : `${packageName}/${subpath.slice(2)}`));
}

/**
 * Two generated consumers of every entry point: an ES module that imports it and a CommonJS
 * module that require()s it (TypeScript's `import x = require()`, compiled to `require`).
 * Both are type-checked like the rest and print the names each entry point exports.
 */
function writeEntryPointConsumers(project: ConsumerProject, entries: readonly string[]): void {
  const esm = entries.map((entry, index) => `import * as entry${index} from "${entry}";`);
  const cjs = entries.map((entry, index) => `import entry${index} = require("${entry}");`);
  const table = `{\n${entries.map((entry, index) => `  "${entry}": Object.keys(entry${index}).sort(),`).join("\n")}\n}`;
  writeFileSync(
    join(project.dir, "import-entry-points.ts"),
    `${esm.join("\n")}\n\nconsole.log(JSON.stringify(${table}));\n`,
  );
  writeFileSync(
    join(project.dir, "require-entry-points.cts"),
    `${cjs.join("\n")}\n\nconsole.log(JSON.stringify(${table}));\n`,
  );
}

it("has a consumer scenario for every publishable package", () => {
  const subjects = new Set(scenarios.map((scenario) => scenario.subject));
  expect([...subjects].sort()).toEqual(tarballs.map((tarball) => tarball.name).sort());
});

const sha256 = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");

describe.each(
  scenarios.map((scenario): [string, Scenario] => [scenario.label ?? scenario.auth101.join(" + "), scenario]),
)("%s from tarballs", (_, scenario) => {
  let project: ConsumerProject;
  const entries = entryPoints(scenario.subject).filter(
    (entry) => !(lowestPeers && scenario.testKitEntryPoints?.includes(entry)),
  );

  beforeAll(async () => {
    project = await ConsumerProject.create(join(workDir, "consumers"), scenario, tarballs);
    writeEntryPointConsumers(project, entries);
  });

  it("installs the freshly packed build, with only its own dependencies", () => {
    for (const name of scenario.auth101) {
      const tarball = tarballs.find((candidate) => candidate.name === name);
      const packed = join(tarball?.unpackedDir ?? "", "dist", "index.js");
      expect(
        sha256(join(project.packageDir(name), "dist", "index.js")),
        `${name}: installed dist/index.js is the one just packed`,
      ).toBe(sha256(packed));
    }
    const installed = [...project.installedPackageNames()];
    expect(installed.filter((name) => name.startsWith("@auth101/")).sort()).toEqual([...scenario.auth101].sort());
    expect(installed.filter((name) => scenario.forbidden.some((pattern) => pattern.test(name)))).toEqual([]);
  });

  it("type-checks a consumer against the published types (strict, skipLibCheck false), as ESM and as CommonJS", async () => {
    const result = await project.typecheck();
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it("loads every entry point with import and with require (require(esm), no top-level await)", async () => {
    const imported = await project.node(["out/import-entry-points.js"]);
    expect(imported.code, imported.stderr).toBe(0);
    const required = await project.node(["out/require-entry-points.cjs"]);
    expect(required.code, required.stderr).toBe(0);
    expect(required.stderr).not.toMatch(/ERR_REQUIRE|top-level await/i);

    const importedNames = JSON.parse(imported.stdout) as Record<string, string[]>;
    expect(Object.keys(importedNames).sort()).toEqual([...entries].sort());
    for (const entry of entries) expect(importedNames[entry]?.length ?? 0, entry).toBeGreaterThan(0);
    expect(JSON.parse(required.stdout)).toEqual(importedNames);
  });

  // vitest 3 (RELEASE_CHECK_PEERS=lowest) refuses to load a test kit outside a run, so there
  // only the fixture's vitest suite exercises @auth101/testing.
  const mainLoads = !(lowestPeers && scenario.testKitEntryPoints !== undefined);
  it.runIf(mainLoads)("signs a user up and in through a real server on 127.0.0.1", async () => {
    const result = await project.node(["out/main.js"]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "") as { statuses: Record<string, number> };
    expect(report.statuses).toEqual({
      "sign-up": 200,
      "sign-in": 200,
      "wrong-password": 401,
      session: 200,
      protected: 200,
      "protected-anonymous": 401,
    });
  });

  if (scenario.hasTestSuite === true) {
    it("runs the fixture's vitest suite (the UserStore contract from @auth101/testing)", async () => {
      const result = await project.vitest();
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/Tests\s+\d+ passed/);
    });
  }
});
