// What each published package is, checked on the tarball `pnpm pack` made: its manifest,
// its files, publint and Are the Types Wrong.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { describe, expect, inject, it } from "vitest";
import { filesUnder, packagesImportedBy } from "./imports.js";
import { run } from "./processes.js";
import type { Tarball } from "./tarballs.js";
import { publishablePackages, readJson, workspaceRoot } from "./workspace.js";
import type { PackageManifest } from "./workspace.js";

const tarballs = inject("tarballs");

it("packs exactly the packages under packages/ (apps, tests and tools stay private)", () => {
  const publishable = publishablePackages().map((pkg) => pkg.path);
  expect(publishable.length).toBeGreaterThan(0);
  expect(publishable.every((path) => path.startsWith("packages/"))).toBe(true);
  expect(tarballs.map((tarball) => tarball.packagePath).sort()).toEqual(publishable);
});

describe.each(tarballs.map((tarball): [string, Tarball] => [tarball.name, tarball]))("%s", (name, tarball) => {
  const manifest = readJson<PackageManifest>(join(tarball.unpackedDir, "package.json"));

  it("has a complete package.json", () => {
    expect(manifest.name).toBe(name);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.description?.length ?? 0).toBeGreaterThan(20);
    expect(manifest.license).toBe("MIT");
    expect(manifest.repository).toMatchObject({ type: "git", directory: tarball.packagePath });
    expect(manifest.type).toBe("module");
    expect(typeof manifest.sideEffects).toBe("boolean");
    expect(manifest.engines).toEqual({ node: ">=20.19" });
    expect(manifest.publishConfig).toMatchObject({ access: "public" });
    expect(manifest.files).toContain("dist");
  });

  it("has an exports map with types first in every entry, and ./package.json", () => {
    const entries = Object.entries(manifest.exports ?? {});
    expect(entries.map(([key]) => key)).toContain(".");
    expect(manifest.exports?.["./package.json"]).toBe("./package.json");
    for (const [key, target] of entries) {
      if (key === "./package.json") continue;
      expect(typeof target, key).toBe("object");
      expect(Object.keys(target as object), key).toEqual(["types", "default"]);
    }
  });

  it("depends on released versions only: pnpm pack rewrote every workspace: range", () => {
    const ranges = { ...manifest.dependencies, ...manifest.peerDependencies };
    for (const [dependency, range] of Object.entries(ranges)) {
      expect(range, dependency).not.toMatch(/^(workspace|file|link):/);
    }
    // The tarball's auth101 ranges accept the version of the package they were packed with.
    for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
      const packed = tarballs.find((candidate) => candidate.name === dependency);
      if (packed !== undefined) expect(range, dependency).toBe(`^${packed.version}`);
    }
  });

  it("imports nothing it does not declare (in its JavaScript and its declarations)", () => {
    const declared = new Set([
      name,
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    expect([...packagesImportedBy(tarball.unpackedDir)].filter((imported) => !declared.has(imported))).toEqual([]);
  });

  it("ships no tests, and exactly the sources its source maps and declaration maps point at", () => {
    const shipped = filesUnder(tarball.unpackedDir);
    expect(shipped.filter((path) => /\.test(-d)?\.|test-helpers|test-support|\.tsbuildinfo$/.test(path))).toEqual([]);

    const referenced = new Set<string>();
    const missing: string[] = [];
    for (const mapFile of shipped.filter((path) => path.endsWith(".map"))) {
      const map = readJson<{ sources: string[] }>(join(tarball.unpackedDir, mapFile));
      for (const source of map.sources) {
        const target = relative(tarball.unpackedDir, resolve(tarball.unpackedDir, dirname(mapFile), source))
          .split("\\")
          .join("/");
        referenced.add(target);
        if (!shipped.includes(target)) missing.push(`${target} (from ${mapFile})`);
      }
    }
    expect(referenced.size).toBeGreaterThan(0);
    // tsc never deletes outputs: a map whose source is gone from the workspace too is a
    // leftover of a renamed or deleted file, which a fresh clone (as CI and releases use) lacks.
    const leftovers = missing.filter(
      (entry) => !existsSync(join(workspaceRoot, tarball.packagePath, entry.split(" ")[0] ?? "")),
    );
    expect(leftovers, `stale build output: rm -rf ${tarball.packagePath}/dist && pnpm build`).toEqual([]);
    expect(missing, "sources the maps point at but the tarball lacks").toEqual([]);
    const strays = shipped.filter((path) => path.startsWith("src/") && !referenced.has(path));
    expect(strays, "files under src/ that no map points at").toEqual([]);
  });

  it("ships a README with an install command and an example, and the LICENSE", () => {
    const readme = readFileSync(join(tarball.unpackedDir, "README.md"), "utf8");
    expect(readme).toMatch(new RegExp(`(npm install|pnpm add)[^\\n]*${name.replace("/", "\\/")}`));
    expect(readme).toMatch(/```(ts|js|typescript|javascript)\n/);
    expect(readFileSync(join(tarball.unpackedDir, "LICENSE"), "utf8")).toMatch(/MIT License/);
  });

  it("passes publint (warnings count as errors)", async () => {
    const { messages, pkg } = await publint({
      // The unpacked tarball holds exactly the published files, so there is nothing to pack.
      pkgDir: tarball.unpackedDir,
      pack: false,
      strict: true,
      level: "warning",
    });
    expect(
      messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false }) ?? message.code}`),
    ).toEqual([]);
  });

  it("passes Are the Types Wrong under the esm-only profile", async () => {
    // esm-only ignores the node10 and node16-from-CommonJS resolutions: our packages are
    // ESM-only (CommonJS users load them with require(esm) on Node 20.19+, which the consumer
    // tests prove, and TypeScript's node20/nodenext modes type that require()).
    const attw = join(workspaceRoot, "release-check", "node_modules", ".bin", "attw");
    const result = await run(
      attw,
      [tarball.file, "--profile", "esm-only", "--no-definitely-typed", "--format", "ascii", "--no-color"],
      {
        cwd: dirname(tarball.file),
      },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });
});
