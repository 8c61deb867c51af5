import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { RatioComparison, ServerSpec } from "./catalog.js";
import { COMPARISONS, SERVERS, TARGETS, selectTargets } from "./catalog.js";
import { configFromEnvironment } from "./config.js";
import type { InProcessRun } from "./in-process.js";
import { formatTable } from "./report.js";

/**
 * `node dist/instructions.js`: case 2's comparisons (each integration's session check against
 * its bare route, memory store) counted in machine instructions instead of timed. Each server
 * runs in process (in-process.ts: no sockets, no kernel) under valgrind's callgrind, twice,
 * with two request counts; the difference over the difference in requests is what one request
 * costs. Unlike req/s it does not move with the machine's speed: the same build gives the
 * same count within a fraction of a percent, whatever else runs. BENCH_ONLY selects as for
 * run.js: a comparison is counted when both its targets are selected.
 */

const run = promisify(execFile);
/** Warm-up requests before the counted ones: with fewer, V8 is still compiling and the count is its. */
const WARMUP = Number(process.env["BENCH_INSTRUCTIONS_WARMUP"] ?? 10_000);
const FEWER = Number(process.env["BENCH_INSTRUCTIONS_FEWER"] ?? 2000);
const MORE = Number(process.env["BENCH_INSTRUCTIONS_MORE"] ?? 10_000);
const ACCOUNTS = 5;
/**
 * --predictable: V8 runs the same way every time (no concurrent compiling or collecting), so
 * two runs of one build count the same to a few parts in a million. --expose-gc: see
 * in-process.ts.
 */
const NODE_FLAGS = ["--predictable", "--expose-gc"];

interface Counted {
  readonly server: ServerSpec;
  readonly instructionsPerRequest: number;
}

async function instructionsOf(server: ServerSpec, path: string, requests: number): Promise<number> {
  const inProcess: InProcessRun = {
    account: server.account === "auth101" ? "auth101" : "none",
    accounts: ACCOUNTS,
    warmup: WARMUP,
    requests,
    path,
  };
  const script = fileURLToPath(new URL(`servers/${server.script}`, import.meta.url));
  const { stderr } = await run(
    "valgrind",
    ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, ...NODE_FLAGS, script],
    {
      env: { ...process.env, ...server.env, BENCH_IN_PROCESS: JSON.stringify(inProcess) },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const collected = /Collected : (\d+)/.exec(stderr)?.[1];
  if (collected === undefined) throw new Error(`${server.id}: callgrind reported no count\n${stderr.slice(-2000)}`);
  return Number(collected);
}

/** One target's instructions per request: its server, run with two request counts. */
async function count(targetId: string): Promise<Counted> {
  const target = TARGETS.find((candidate) => candidate.id === targetId);
  const server = SERVERS.find((candidate) => candidate.id === target?.server);
  if (target === undefined || server === undefined) throw new Error(`unknown target ${targetId}`);
  const [fewer, more] = await Promise.all([
    instructionsOf(server, target.path, FEWER),
    instructionsOf(server, target.path, MORE),
  ]);
  return { server, instructionsPerRequest: (more - fewer) / (MORE - FEWER) };
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
process.stderr.write(`callgrind, ${WARMUP} warm-up requests, counted ${MORE} − ${FEWER}\n`);
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
  `Instructions per session request, in process (callgrind; ratio = bare ÷ auth101, read like a req/s ratio)\n${formatTable(
    ["comparison", "auth101", "bare", "ratio"],
    rows,
    ["left", "right", "right", "right"],
  )}\n`,
);
