import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runOrThrow } from "./processes.js";
import { publishablePackages } from "./workspace.js";
import type { WorkspacePackage } from "./workspace.js";

export interface Tarball {
  readonly name: string;
  readonly version: string;
  /** The workspace folder it was packed from, e.g. `packages/express`. */
  readonly packagePath: string;
  /** Absolute path of the .tgz. */
  readonly file: string;
  /** Paths inside the package, as `pnpm pack` listed them. */
  readonly files: readonly string[];
  /** Where the tarball was unpacked: the package's root (the tarball's `package/`). */
  readonly unpackedDir: string;
}

interface PackJson {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

async function pack(pkg: WorkspacePackage, destination: string): Promise<Tarball> {
  if (!existsSync(join(pkg.dir, "dist"))) {
    throw new Error(`${pkg.manifest.name} has no dist/: build first (pnpm build, or pnpm test, which builds)`);
  }
  const stdout = await runOrThrow("pnpm", ["pack", "--pack-destination", destination, "--json"], { cwd: pkg.dir });
  const packed = JSON.parse(stdout) as PackJson;
  const unpackRoot = join(destination, "unpacked", pkg.manifest.name.replace("/", "+"));
  mkdirSync(unpackRoot, { recursive: true });
  await runOrThrow("tar", ["-xzf", packed.filename, "-C", unpackRoot], { cwd: destination });
  return {
    name: packed.name,
    version: packed.version,
    packagePath: pkg.path,
    file: packed.filename,
    files: packed.files.map((file) => file.path).sort(),
    unpackedDir: join(unpackRoot, "package"),
  };
}

/** `pnpm pack` of every publishable package (as a user's `npm publish` would upload it). */
export async function packPublishablePackages(destination: string): Promise<Tarball[]> {
  mkdirSync(destination, { recursive: true });
  return Promise.all(publishablePackages().map((pkg) => pack(pkg, destination)));
}
