#!/usr/bin/env node
// Generates the package's own Prisma clients (one per provider) into src/generated/, where the
// build compiles them into dist/. Users of the published package never run this: their install
// needs neither the prisma CLI nor network.
//
// `prisma generate` itself needs no database and no native engine, but the CLI insists on
// locating a schema-engine binary first and downloads one when PRISMA_SCHEMA_ENGINE_BINARY is
// unset, which fails offline. Generation never runs that binary, so any existing file will do:
// we point it at the running node executable unless the caller set a path that exists.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const clients = ["postgresql", "mysql", "sqlite"].map((provider) => ({
  name: provider,
  schema: join("prisma", provider, "schema.prisma"),
  output: join("src", "generated", provider),
}));
// The tests' stand-in for an app's own client (more models, its own output), used to test the
// bring-your-own-client path; never part of the build.
if (process.argv.includes("--test-fixture")) {
  clients.push({
    name: "test app",
    schema: join("src", "test-support", "app-schema.prisma"),
    output: join("src", "test-support", "generated", "app-client"),
  });
}
const require = createRequire(import.meta.url);
const prismaCli = require.resolve("prisma/build/index.js");
const prismaVersion = require("prisma/package.json").version;
const force = process.argv.includes("--force");

const configuredEngine = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: configuredEngine && existsSync(configuredEngine) ? configuredEngine : process.execPath,
  CHECKPOINT_DISABLE: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: "1",
};

// A client is regenerated only when its schema or the prisma version changed (or with
// --force), so a build never deletes files that a concurrently running test is importing.
function stampOf(schema) {
  return createHash("sha256")
    .update(prismaVersion)
    .update("\0")
    .update(readFileSync(join(packageRoot, schema)))
    .digest("hex");
}

async function generate(client) {
  const stampFile = join(packageRoot, client.output, ".schema-stamp");
  const stamp = stampOf(client.schema);
  const fresh =
    existsSync(join(packageRoot, client.output, "client.ts")) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8") === stamp;
  if (fresh && !force) return "unchanged";
  await runPrismaGenerate(client);
  writeFileSync(stampFile, stamp);
  return "generated";
}

function runPrismaGenerate({ name, schema, output }) {
  rmSync(join(packageRoot, output), { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, "generate", "--schema", schema], {
      cwd: packageRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (chunk) => (log += chunk));
    child.stderr.on("data", (chunk) => (log += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 && existsSync(join(packageRoot, output, "client.ts"))) resolve();
      else reject(new Error(`prisma generate for ${name} failed (exit ${code}):\n${log}`));
    });
  });
}

const started = Date.now();
const results = await Promise.allSettled(clients.map(generate));
const failures = results.filter((result) => result.status === "rejected");
if (failures.length > 0) {
  for (const failure of failures) console.error(String(failure.reason?.message ?? failure.reason));
  process.exit(1);
}
const summary = clients.map(({ name }, index) => `${name}: ${results[index].value}`).join(", ");
console.log(`Prisma clients (${summary}) in ${Date.now() - started} ms`);
