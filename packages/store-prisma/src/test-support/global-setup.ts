import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The tests import the generated clients from src/, the test app's client included. The script
 * regenerates a client only when it is missing or its schema (or the Prisma version) changed
 * since it was made, by a hash of the schema kept beside it, so a schema edit never meets a stale
 * client and an unchanged one costs a hash.
 */
export default function ensureGeneratedClients(): void {
  execFileSync(process.execPath, ["prisma/generate-clients.mjs", "--test-fixture"], {
    cwd: packageRoot,
    stdio: "inherit",
  });
}
