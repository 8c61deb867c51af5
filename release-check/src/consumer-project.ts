import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packagesImportedBy } from "./imports.js";
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
  /** Files of fixtures/shared/ the project gets besides `exercise.ts`, which every project gets. */
  readonly sharedFixtures?: readonly string[];
}

/**
 * The strictest settings a user may have: our published declarations must hold up under
 * them, including `skipLibCheck: false`, which type-checks the .d.ts files themselves.
 */
const consumerCompilerOptions = {
  target: "ES2023",
  lib: ["ES2023"],
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

/**
 * RELEASE_CHECK_PEERS=lowest installs each peer dependency our packages import at the lowest
 * version its declared range allows (e.g. Express 4.17.0 for `^4.17.0 || ^5.0.0`), to prove
 * the ranges are honest; companions in the same npm scope (@nestjs/platform-express) follow.
 * It downloads from the registry, so it is a manual check, not part of CI. The default
 * installs the versions the workspace tests against.
 */
export const lowestPeers = process.env["RELEASE_CHECK_PEERS"] === "lowest";

/** The lowest version to install for each third-party package, in the lowest-peers mode. */
function lowestPeerVersions(names: readonly string[], tarballs: readonly Tarball[]): Map<string, string> {
  const versions = new Map<string, string>();
  for (const tarball of tarballs.filter((candidate) => names.includes(candidate.name))) {
    const manifest = JSON.parse(readFileSync(join(tarball.unpackedDir, "package.json"), "utf8")) as {
      peerDependencies?: Record<string, string>;
    };
    const imported = packagesImportedBy(tarball.unpackedDir);
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      const typesOf = name.startsWith("@types/") ? name.slice("@types/".length) : undefined;
      if (imported.has(name) || (typesOf !== undefined && imported.has(typesOf)))
        versions.set(name, lowestVersionIn(range));
    }
  }
  return versions;
}

/** The npm scope whose packages are released in lockstep (not @types, versioned per package). */
function scopeOf(name: string): string | undefined {
  return name.startsWith("@") && !name.startsWith("@types/") ? name.split("/")[0] : undefined;
}

/** The lowest version a range of `^x.y.z`, `~x.y.z`, `>=x.y.z` or `x.y.z` alternatives allows. */
export function lowestVersionIn(range: string): string {
  const versions = range.split("||").map((alternative) => {
    const match = /^\s*(?:\^|~|>=)?\s*(\d+)\.(\d+)\.(\d+)\s*$/.exec(alternative);
    if (match === null) throw new Error(`cannot tell the lowest version of the range "${range}"`);
    return [Number(match[1]), Number(match[2]), Number(match[3])] as const;
  });
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return (versions[0] ?? []).join(".");
}

/** A fresh npm project outside the workspace that installs auth101 only from tarballs. */
export class ConsumerProject {
  private constructor(
    readonly dir: string,
    readonly spec: ConsumerProjectSpec,
  ) {}

  static async create(
    parentDir: string,
    spec: ConsumerProjectSpec,
    tarballs: readonly Tarball[],
  ): Promise<ConsumerProject> {
    const dir = join(parentDir, spec.fixture);
    mkdirSync(dir, { recursive: true });
    const tarballSpec = (name: string): string => {
      const tarball = tarballs.find((candidate) => candidate.name === name);
      if (tarball === undefined) throw new Error(`no tarball for ${name}`);
      return `file:${tarball.file}`;
    };
    const lowest = lowestPeers ? lowestPeerVersions(spec.auth101, tarballs) : new Map<string, string>();
    const versionOf = (name: string): string => {
      const companion = [...lowest].find(([peer]) => scopeOf(peer) !== undefined && scopeOf(peer) === scopeOf(name));
      return lowest.get(name) ?? companion?.[1] ?? workspaceVersionOf(name);
    };
    const pinned = (names: readonly string[]): Record<string, string> =>
      Object.fromEntries(names.map((name) => [name, versionOf(name)]));

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
    const hoisting =
      spec.hoistPattern === undefined
        ? "hoist: false"
        : `hoistPattern:\n${spec.hoistPattern.map((pattern) => `  - "${pattern}"`).join("\n")}`;
    // pnpm skips dependencies' build scripts and, by default, fails the install over them
    // (esbuild under older vitest, say): that is a prompt for the user, not a fault of ours.
    writeFileSync(join(dir, "pnpm-workspace.yaml"), `overrides:\n${overrides}\n${hoisting}\nstrictDepBuilds: false\n`);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify(
        { compilerOptions: { ...consumerCompilerOptions, ...spec.compilerOptions }, include: ["*.ts", "*.cts"] },
        null,
        2,
      ),
    );
    for (const file of ["exercise.ts", ...(spec.sharedFixtures ?? [])]) {
      copyFileSync(join(fixturesDir, "shared", file), join(dir, file));
    }
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
    return run(
      join(this.dir, "node_modules", ".bin", "vitest"),
      ["run", "--exclude", "out/**", "--exclude", "node_modules/**"],
      {
        cwd: this.dir,
        env: consumerEnv({ CI: "true", NO_COLOR: "1" }),
      },
    );
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
