import { readFileSync } from "node:fs";

/**
 * `node dist/profile-summary.js <file.cpuprofile> [top]`: where a server's main thread spent
 * its time, from a V8 CPU profile (`BENCH_CPU_PROF=<dir>` writes one per server). Prints the
 * share of samples that were idle, garbage collection and program, then the functions with
 * the most self time, and the packages they belong to.
 */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function packageOf(url: string): string {
  if (url === "") return "(native / V8)";
  if (url.startsWith("node:")) return "node core";
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url);
  if (match?.[1] !== undefined) return match[1];
  const workspace = /\/(packages|bench)\/([^/]+)\//.exec(url);
  return workspace === null ? url : `${workspace[1]}/${workspace[2]}`;
}

const [file, topArgument] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: node dist/profile-summary.js <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topArgument ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
});

const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let idle = 0;
for (const [id, micros] of selfMicros) {
  const frame = nodes.get(id)?.callFrame;
  if (frame === undefined) continue;
  if (frame.functionName === "(idle)") {
    idle += micros;
    continue;
  }
  const where =
    frame.url === ""
      ? ""
      : ` ${frame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(packages|bench)\//, "$1/")}:${frame.lineNumber + 1}`;
  const name = `${frame.functionName || "(anonymous)"}${where}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  const owner = frame.functionName.startsWith("(") ? frame.functionName : packageOf(frame.url);
  byPackage.set(owner, (byPackage.get(owner) ?? 0) + micros);
}

const percent = (micros: number): string => `${((micros / total) * 100).toFixed(1).padStart(5)}%`;
const busy = total - idle;
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s sampled, main thread busy ${((busy / total) * 100).toFixed(1)}% (${(busy / 1e6).toFixed(1)} s)`,
);
console.log("\nself time by package (share of all samples)");
for (const [owner, micros] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`${percent(micros)}  ${owner}`);
console.log(`\ntop ${top} functions by self time`);
for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${percent(micros)}  ${name}`);
