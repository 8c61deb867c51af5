// Independent versioning, end to end: `changeset version` on a throwaway copy of the
// workspace's manifests and changesets, exactly as a release would run it.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { consumerEnv, runOrThrow } from "./processes.js";
import { allWorkspacePackages, publishablePackages, readJson, workspaceRoot } from "./workspace.js";
import type { PackageManifest, WorkspacePackage } from "./workspace.js";

const workDir = inject("releaseWorkDir");
const changesetCli = join(workspaceRoot, "node_modules", "@changesets", "cli", "bin.js");
const pendingChangesets = readdirSync(join(workspaceRoot, ".changeset")).filter(
  (file) => file.endsWith(".md") && file !== "README.md",
);

interface ChangesetConfig {
  readonly ignore: readonly string[];
  readonly privatePackages: { readonly version: boolean; readonly tag: boolean };
  readonly updateInternalDependencies: string;
  readonly access: string;
}

interface Release {
  readonly before: Map<string, PackageManifest>;
  readonly after: Map<string, PackageManifest>;
  changelog(pkg: WorkspacePackage): string | undefined;
}

let copies: string[] = [];
afterEach(() => {
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
  copies = [];
});

/** `changeset version` in a git repository holding the workspace's manifests and the given changesets. */
async function versionWith(changesets: Readonly<Record<string, string>>): Promise<Release> {
  mkdirSync(join(workDir, "changesets"), { recursive: true });
  const copy = mkdtempSync(join(workDir, "changesets", "workspace-"));
  copies.push(copy);
  for (const file of ["package.json", "pnpm-workspace.yaml", ".changeset/config.json"]) {
    cpSync(join(workspaceRoot, file), join(copy, file));
  }
  const packages = allWorkspacePackages();
  for (const pkg of packages) {
    for (const file of ["package.json", "CHANGELOG.md"].filter((name) => existsSync(join(pkg.dir, name)))) {
      cpSync(join(pkg.dir, file), join(copy, pkg.path, file));
    }
  }
  for (const [file, text] of Object.entries(changesets)) writeFileSync(join(copy, ".changeset", file), text);
  // The changelog generator (@changesets/cli/changelog) is resolved from the project.
  symlinkSync(join(workspaceRoot, "node_modules"), join(copy, "node_modules"), "dir");

  const git = (...args: string[]): Promise<string> =>
    runOrThrow(
      "git",
      [
        "-c",
        "user.name=release-check",
        "-c",
        "user.email=release-check@example.com",
        "-c",
        "commit.gpgsign=false",
        ...args,
      ],
      {
        cwd: copy,
      },
    );
  await git("init", "--quiet");
  await git("add", "--all");
  await git("commit", "--quiet", "--message", "workspace manifests");
  await runOrThrow(process.execPath, [changesetCli, "version"], { cwd: copy, env: consumerEnv() });

  const manifests = (root: string): Map<string, PackageManifest> =>
    new Map(packages.map((pkg) => [pkg.path, readJson<PackageManifest>(join(root, pkg.path, "package.json"))]));
  return {
    before: manifests(workspaceRoot),
    after: manifests(copy),
    changelog: (pkg) => {
      const file = join(copy, pkg.path, "CHANGELOG.md");
      return existsSync(file) ? readFileSync(file, "utf8") : undefined;
    },
  };
}

const publishable = publishablePackages();
const privatePackages = allWorkspacePackages().filter((pkg) => pkg.manifest.private === true);

/** The publishable packages that depend on `name`, directly or through another. */
function dependentsOf(name: string): Set<string> {
  const dependents = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const pkg of publishable) {
      const deps = Object.keys({ ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies });
      if (!dependents.has(pkg.manifest.name) && deps.some((dep) => dep === name || dependents.has(dep))) {
        dependents.add(pkg.manifest.name);
        grew = true;
      }
    }
  }
  return dependents;
}

function expectPrivatePackagesUntouched(release: Release): void {
  for (const pkg of privatePackages) {
    expect(release.after.get(pkg.path), pkg.path).toEqual(release.before.get(pkg.path));
    expect(release.changelog(pkg), `${pkg.path} must get no CHANGELOG`).toBeUndefined();
  }
}

describe("changesets", () => {
  it("config: public access, and private packages (demo apps, tests, tools) are never versioned", () => {
    const config = readJson<ChangesetConfig>(join(workspaceRoot, ".changeset", "config.json"));
    expect(config.access).toBe("public");
    expect(config.privatePackages).toEqual({ version: false, tag: false });
    const names = new Set(allWorkspacePackages().map((pkg) => pkg.manifest.name));
    for (const ignored of config.ignore) expect(names.has(ignored), `ignored package ${ignored} exists`).toBe(true);
    for (const app of allWorkspacePackages().filter((pkg) => pkg.path.startsWith("apps/"))) {
      expect(app.manifest.private, `${app.path} is private`).toBe(true);
    }
  });

  it("every publishable package is released before or named in a pending changeset", () => {
    const named = pendingChangesets
      .map((file) => readFileSync(join(workspaceRoot, ".changeset", file), "utf8"))
      .join("\n");
    for (const pkg of publishable) {
      const released = existsSync(join(pkg.dir, "CHANGELOG.md"));
      expect(released || named.includes(`"${pkg.manifest.name}":`), `${pkg.manifest.name} needs a changeset`).toBe(
        true,
      );
    }
  });

  it("the pending changesets version every publishable package they name, with a CHANGELOG, and nothing private", async () => {
    const release = await versionWith(
      Object.fromEntries(
        pendingChangesets.map((file) => [file, readFileSync(join(workspaceRoot, ".changeset", file), "utf8")]),
      ),
    );
    const named = pendingChangesets
      .map((file) => readFileSync(join(workspaceRoot, ".changeset", file), "utf8"))
      .join("\n");
    for (const pkg of publishable) {
      const before = release.before.get(pkg.path)?.version;
      const after = release.after.get(pkg.path)?.version ?? "";
      if (named.includes(`"${pkg.manifest.name}":`)) expect(after, pkg.path).not.toBe(before);
      if (before !== after) expect(release.changelog(pkg), pkg.path).toContain(`## ${after}`);
    }
    expectPrivatePackagesUntouched(release);
  });

  describe.each(publishable.map((pkg): [string, WorkspacePackage] => [pkg.manifest.name, pkg]))(
    "a patch changeset for %s alone",
    (name, pkg) => {
      it("bumps it and its dependents (per updateInternalDependencies), writes their CHANGELOGs, and nothing else", async () => {
        const summary = `Release check: a fix in ${name}.`;
        const release = await versionWith({ "release-check.md": `---\n"${name}": patch\n---\n\n${summary}\n` });
        const dependents = dependentsOf(name);
        for (const other of publishable) {
          const before = release.before.get(other.path)?.version ?? "";
          const after = release.after.get(other.path)?.version ?? "";
          if (other === pkg || dependents.has(other.manifest.name)) {
            expect(after, other.path).not.toBe(before);
            expect(release.changelog(other), other.path).toContain(`## ${after}`);
          } else {
            expect(after, `${other.path} must keep its version`).toBe(before);
            expect(release.changelog(other) ?? "", `${other.path} must get no new CHANGELOG entry`).not.toContain(
              summary,
            );
          }
        }
        expect(release.changelog(pkg)).toContain(summary);
        expectPrivatePackagesUntouched(release);
      });
    },
  );
});
