import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RatioComparison, ServerSpec } from "./catalog.js";
import { COMPARISONS, SERVERS, TARGETS, selectTargets } from "./catalog.js";
import { configFromEnvironment } from "./config.js";
import { OneConnectionClient, startServerScript } from "./counting-client.js";
import { benchAccounts, signUpAll } from "./harness.js";
import { formatTable } from "./report.js";

/**
 * `node dist/instructions.js`: case 2's comparisons (each integration's session check against
 * its bare route, memory store) counted in machine instructions instead of timed. Each server
 * runs whole under valgrind's callgrind, serving real sockets: a client outside it (this
 * process) sends the session requests one at a time over one keep-alive connection; the
 * instructions of the counted requests, over their number, are what one request costs the
 * server process (every thread; not the kernel's share, the same for both sides). Unlike req/s
 * it hardly moves with the machine's speed or whatever else runs. BENCH_ONLY selects as for
 * run.js: a comparison is counted when both its targets are selected.
 */

const run = promisify(execFile);
/** Warm-up requests before the counted ones: with fewer, V8 is still compiling and the count is its. */
const WARMUP = Number(process.env["BENCH_INSTRUCTIONS_WARMUP"] ?? 10_000);
const COUNTED = Number(process.env["BENCH_INSTRUCTIONS_COUNTED"] ?? 5000);
const ACCOUNTS = 5;
/**
 * --predictable: V8 runs the same way every time (no concurrent compiling or collecting), so
 * two runs of one build count within a fraction of a percent. --perf-basic-prof: V8 writes
 * /tmp/perf-<pid>.map, which names the JIT-compiled functions in a callgrind profile of the
 * same run (keep the dumps with BENCH_INSTRUCTIONS_KEEP=1).
 */
const NODE_FLAGS = ["--predictable", "--perf-basic-prof"];

interface Counted {
  readonly server: ServerSpec;
  readonly instructionsPerRequest: number;
}

async function instructionsOf(server: ServerSpec, path: string): Promise<number> {
  const directory = mkdtempSync(join(tmpdir(), `callgrind-${server.id}-`));
  const callgrind = ["valgrind", "--tool=callgrind", `--callgrind-out-file=${join(directory, "callgrind.%p")}`];
  // Run from the dump's directory, where V8's isolate logs go too.
  const started = await startServerScript(server.script, {
    env: server.env ?? {},
    wrapper: callgrind,
    nodeFlags: NODE_FLAGS,
    cwd: directory,
  });
  const client = new OneConnectionClient(started.origin);
  try {
    const headers = await signUpAll(server, started.origin, benchAccounts(ACCOUNTS));
    await client.send(path, headers, WARMUP);
    await run("callgrind_control", ["--zero", String(started.pid)]);
    await client.send(path, headers, COUNTED);
    await run("callgrind_control", ["--dump", String(started.pid)]);
  } finally {
    client.close();
    await started.stop();
  }
  // callgrind numbers its dumps: .1 is the one taken after the counted requests.
  const dump = readFileSync(join(directory, `callgrind.${started.pid}.1`), "utf8");
  const totals = /^totals: (\d+)/m.exec(dump)?.[1];
  if (totals === undefined) throw new Error(`${server.id}: callgrind's dump has no totals`);
  if (process.env["BENCH_INSTRUCTIONS_KEEP"] === "1") process.stderr.write(`  ${server.id}: ${directory}\n`);
  else {
    rmSync(directory, { recursive: true, force: true });
    rmSync(`/tmp/perf-${started.pid}.map`, { force: true });
  }
  return Number(totals) / COUNTED;
}

/** One target's instructions per request. */
async function count(targetId: string): Promise<Counted> {
  const target = TARGETS.find((candidate) => candidate.id === targetId);
  const server = SERVERS.find((candidate) => candidate.id === target?.server);
  if (target === undefined || server === undefined) throw new Error(`unknown target ${targetId}`);
  return { server, instructionsPerRequest: await instructionsOf(server, target.path) };
}

const selected = new Set(selectTargets(configFromEnvironment().only).map((target) => target.id));
const comparisons = COMPARISONS.filter(
  (comparison): comparison is RatioComparison =>
    comparison.kind === "ratio" &&
    comparison.case === "2" &&
    selected.has(comparison.numerator) &&
    selected.has(comparison.denominator),
);
const rows: string[][] = [];
process.stderr.write(`callgrind, real sockets, ${WARMUP} warm-up requests, ${COUNTED} counted\n`);
for (const comparison of comparisons) {
  process.stderr.write(`${comparison.label}\n`);
  const [ours, theirs] = await Promise.all([count(comparison.numerator), count(comparison.denominator)]);
  rows.push([
    comparison.label,
    Math.round(ours.instructionsPerRequest).toLocaleString("en-US"),
    Math.round(theirs.instructionsPerRequest).toLocaleString("en-US"),
    `${(theirs.instructionsPerRequest / ours.instructionsPerRequest).toFixed(3)}×`,
  ]);
}
process.stdout.write(
  `Instructions per session request, real sockets (callgrind; ratio = bare ÷ auth101, read like a req/s ratio)\n${formatTable(
    ["comparison", "auth101", "bare", "ratio"],
    rows,
    ["left", "right", "right", "right"],
  )}\n`,
);
