import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const packageRoot = fileURLToPath(new URL("../../", import.meta.url));
const generatedClients = [
  "src/generated/postgresql/client.ts",
  "src/generated/mysql/client.ts",
  "src/generated/sqlite/client.ts",
  "src/test-support/generated/app-client/client.ts",
];

/** The tests import the generated clients from src/; make them when a clean checkout lacks them. */
export default function ensureGeneratedClients(): void {
  if (generatedClients.every((path) => existsSync(`${packageRoot}${path}`))) return;
  execFileSync(process.execPath, ["prisma/generate-clients.mjs", "--test-fixture"], {
    cwd: packageRoot,
    stdio: "inherit",
  });
}
