import { readdirSync, readFileSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

/** Every module specifier in a built .js or .d.ts file (static, dynamic and type imports). */
export function specifiersIn(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1] ?? ""));
}

/** The third-party packages a package's built files import (JavaScript and declarations). */
export function packagesImportedBy(packageDir: string): Set<string> {
  const imported = new Set<string>();
  for (const file of filesUnder(packageDir).filter((path) => /\.(js|d\.ts)$/.test(path))) {
    for (const specifier of specifiersIn(readFileSync(join(packageDir, file), "utf8"))) {
      if (!specifier.startsWith(".") && !isBuiltin(specifier)) imported.add(packageOf(specifier));
    }
  }
  return imported;
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => path.split("\\").join("/"))
    .sort();
}
