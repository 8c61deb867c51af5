import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { consumerEnv, run, runOrThrow } from "./processes.js";
import type { ProcessResult } from "./processes.js";
import type { Tarball } from "./tarballs.js";
import { fixturesDir, workspaceVersionOf } from "./workspace.js";

export interface ConsumerProjectSpec {
  /** The fixture folder under release-check/fixtures/ whose files the project gets. */
  readonly fixture: string;
  /** The auth101 packages the user installs (by name; they come from the tarballs). */
  readonly auth101: readonly string[];
  /** Third-party packages the user installs, at the version the workspace tests against. */
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
  /** tsconfig compilerOptions on top of the strict defaults below. */
  readonly compilerOptions?: Readonly<Record<string, unknown>>;
  /** Third-party packages to hoist despite `hoist: false` (see the scenario for why). */
  readonly hoistPattern?: readonly string[];
}

/**
 * The strictest settings a user may have: our published declarations must hold up under
 * them, including `skipLibCheck: false`, which type-checks the .d.ts files themselves.
 */
const consumerCompilerOptions = {
  target: "ES2023",
  lib: ["ES2023", "DOM"],
  module: "NodeNext",
  moduleResolution: "NodeNext",
  types: ["node"],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  skipLibCheck: false,
  rootDir: ".",
  outDir: "out",
};

/** A fresh npm project outside the workspace that installs auth101 only from tarballs. */
export class ConsumerProject {
  private constructor(
    readonly dir: string,
    readonly spec: ConsumerProjectSpec,
  ) {}

  static async create(parentDir: string, spec: ConsumerProjectSpec, tarballs: readonly Tarball[]): Promise<ConsumerProject> {
    const dir = join(parentDir, spec.fixture);
    mkdirSync(dir, { recursive: true });
    const tarballSpec = (name: string): string => {
      const tarball = tarballs.find((candidate) => candidate.name === name);
      if (tarball === undefined) throw new Error(`no tarball for ${name}`);
      return `file:${tarball.file}`;
    };
    const pinned = (names: readonly string[]): Record<string, string> =>
      Object.fromEntries(names.map((name) => [name, workspaceVersionOf(name)]));

    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify(
        {
          name: `auth101-consumer-${spec.fixture}`,
          private: true,
          type: "module",
          dependencies: {
            ...Object.fromEntries(spec.auth101.map((name) => [name, tarballSpec(name)])),
            ...pinned(spec.dependencies),
          },
          devDependencies: pinned(spec.devDependencies),
        },
        null,
        2,
      ),
    );
    // `pnpm pack` turned `workspace:^` into `^<version>`, which the registry cannot serve
    // before we publish: point every auth101 package at its tarball. `hoist: false` keeps
    // pnpm from exposing undeclared dependencies, so a missing `dependencies` entry fails here
    // as it would under any strict installer (a `hoistPattern` hoists only what it names).
    const overrides = tarballs.map((tarball) => `  "${tarball.name}": "${tarballSpec(tarball.name)}"`).join("\n");
    const hoisting = spec.hoistPattern === undefined ? "hoist: false" : `hoistPattern:\n${spec.hoistPattern.map((pattern) => `  - "${pattern}"`).join("\n")}`;
    writeFileSync(join(dir, "pnpm-workspace.yaml"), `overrides:\n${overrides}\n${hoisting}\n`);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { ...consumerCompilerOptions, ...spec.compilerOptions }, include: ["*.ts", "*.cts"] }, null, 2),
    );
    copyFileSync(join(fixturesDir, "shared", "exercise.ts"), join(dir, "exercise.ts"));
    for (const file of readdirSync(join(fixturesDir, spec.fixture))) {
      copyFileSync(join(fixturesDir, spec.fixture, file), join(dir, file));
    }

    const project = new ConsumerProject(dir, spec);
    await project.pnpm(["install", "--prefer-offline", "--no-frozen-lockfile"]);
    return project;
  }

  pnpm(args: readonly string[]): Promise<string> {
    return runOrThrow("pnpm", args, { cwd: this.dir });
  }

  /** `node <args>` in the project, with the same Node as the tests. */
  node(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<ProcessResult> {
    return run(process.execPath, args, { cwd: this.dir, env: consumerEnv(env) });
  }

  /** Type-checks and compiles the project's .ts/.cts files into out/ with its own TypeScript. */
  typecheck(): Promise<ProcessResult> {
    return run(join(this.dir, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], { cwd: this.dir });
  }

  /** Runs the project's own vitest on its `*.test.ts` files (not the compiled copies in out/). */
  vitest(): Promise<ProcessResult> {
    return run(join(this.dir, "node_modules", ".bin", "vitest"), ["run", "--exclude", "out/**", "--exclude", "node_modules/**"], {
      cwd: this.dir,
      env: consumerEnv({ CI: "true", NO_COLOR: "1" }),
    });
  }

  /** Names of every package installed, from pnpm's virtual store (`@scope+name@version…`). */
  installedPackageNames(): Set<string> {
    const names = new Set<string>();
    for (const entry of readdirSync(join(this.dir, "node_modules", ".pnpm"))) {
      const match = /^(@[^+@]+\+[^@]+|[^@]+)@/.exec(entry);
      if (match?.[1] !== undefined) names.add(match[1].replace("+", "/"));
    }
    return names;
  }

  /** Where an installed package lives (the unpacked tarball for an auth101 package). */
  packageDir(name: string): string {
    return join(this.dir, "node_modules", name);
  }
}
