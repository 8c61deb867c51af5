import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { TestProject } from "vitest/node";
import { packPublishablePackages } from "./tarballs.js";
import type { Tarball } from "./tarballs.js";
import { workspaceRoot } from "./workspace.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A scratch folder outside the workspace, removed after the run. */
    releaseWorkDir: string;
    tarballs: Tarball[];
  }
}

/** Packs every publishable package once for all of this project's test files. */
export default async function setup(project: TestProject): Promise<() => void> {
  // Outside the workspace, so nothing in it (pnpm-workspace.yaml, node_modules) is in reach.
  const workDir = mkdtempSync(join(tmpdir(), "auth101-release-check-"));
  if (!relative(workspaceRoot, workDir).startsWith("..")) {
    throw new Error(`the scratch folder ${workDir} is inside the workspace: point TMPDIR elsewhere`);
  }
  try {
    project.provide("releaseWorkDir", workDir);
    project.provide("tarballs", await packPublishablePackages(join(workDir, "tarballs")));
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  return () => rmSync(workDir, { recursive: true, force: true });
}
