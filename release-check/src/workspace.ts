import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const workspaceRoot = fileURLToPath(new URL("../../", import.meta.url));
export const fixturesDir = fileURLToPath(new URL("../fixtures/", import.meta.url));

export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly description?: string;
  readonly license?: string;
  readonly type?: string;
  readonly sideEffects?: boolean | readonly string[];
  readonly repository?: { readonly type: string; readonly url: string; readonly directory?: string };
  readonly engines?: Readonly<Record<string, string>>;
  readonly exports?: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
  readonly files?: readonly string[];
  readonly publishConfig?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

export interface WorkspacePackage {
  /** The folder under the workspace root, e.g. `packages/express`. */
  readonly path: string;
  readonly dir: string;
  readonly manifest: PackageManifest;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** The `packages:` globs of pnpm-workspace.yaml (`dir` or `dir/*`), expanded. */
function workspacePackagePaths(): string[] {
  const yaml = readFileSync(join(workspaceRoot, "pnpm-workspace.yaml"), "utf8");
  const section = /^packages:\n((?:[ \t]+-.*\n?)+)/m.exec(yaml)?.[1] ?? "";
  const globs = [...section.matchAll(/-\s*["']?([^"'\s#]+)/g)].map((match) => match[1] ?? "");
  return globs.flatMap((glob) => {
    if (!glob.endsWith("/*")) return [glob];
    const parent = glob.slice(0, -2);
    return readdirSync(join(workspaceRoot, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
}

/** Every workspace package, publishable or not. */
export function allWorkspacePackages(): WorkspacePackage[] {
  return workspacePackagePaths()
    .filter((path) => existsSync(join(workspaceRoot, path, "package.json")))
    .map((path) => {
      const dir = join(workspaceRoot, path);
      return { path, dir, manifest: readJson<PackageManifest>(join(dir, "package.json")) };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** The packages we publish: every workspace package that is not private. */
export function publishablePackages(): WorkspacePackage[] {
  return allWorkspacePackages().filter((pkg) => pkg.manifest.private !== true);
}

/**
 * The exact version of a third-party package the workspace installed and tests against, so a
 * consumer project installs the same one (from the pnpm store, without asking the registry
 * for anything new).
 */
export function workspaceVersionOf(dependency: string): string {
  const candidates = [workspaceRoot, ...allWorkspacePackages().map((pkg) => pkg.dir)];
  for (const dir of candidates) {
    const manifest = join(dir, "node_modules", dependency, "package.json");
    if (existsSync(manifest)) return readJson<PackageManifest>(manifest).version;
  }
  throw new Error(`${dependency} is not installed anywhere in the workspace; add it to the package that needs it`);
}
