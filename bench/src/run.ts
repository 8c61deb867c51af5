import { writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { configFromEnvironment } from "./config.js";
import { runBenchmark } from "./harness.js";
import { formatReport } from "./report.js";

/**
 * `node dist/run.js`: the whole benchmark. Progress goes to stderr, the report to stdout.
 * Exit code 0 when the run finished (missed targets included), 1 when it could not run.
 */
const config = configFromEnvironment();
const machine = {
  cpus: availableParallelism(),
  cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU",
  node: process.version,
  date: new Date().toISOString(),
  loadAverageAtStart: loadavg()[0] ?? Number.NaN,
};
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

try {
  const results = await runBenchmark(config, machine, log);
  if (config.jsonOutput !== undefined) writeFileSync(config.jsonOutput, `${JSON.stringify(results, null, 2)}\n`);
  // Exit explicitly: a load generator's sockets must not keep the process alive.
  process.stdout.write(`${formatReport(results)}\n`, () => process.exit(0));
} catch (error) {
  log(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
