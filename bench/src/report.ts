import type { Comparison, RatioComparison, StormLatencyCheck } from "./catalog.js";
import { COMPARISONS } from "./catalog.js";
import type { BenchResults, Sample, TargetResult } from "./harness.js";

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

type Align = "left" | "right";

/** A plain-text table that reads the same in a terminal and in a Markdown code block. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        align[column] === "right" ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

function rate(value: number): string {
  if (!Number.isFinite(value)) return "—";
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1);
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value >= 10 ? Math.round(value) : value.toFixed(1)}` : "—";
}

function cpuMs(value: number): string {
  if (!Number.isFinite(value)) return "—";
  return value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
}

function validSamples(result: TargetResult | undefined): Sample[] {
  return result === undefined ? [] : result.samples.filter((sample) => sample.failures === 0);
}

function throughputTable(results: BenchResults): string {
  const rows = results.targets.map((result) => {
    const samples = validSamples(result);
    const failed = result.samples.length - samples.length;
    const values = samples.map((sample) => sample.okPerSecond);
    const spread = values.length > 1 ? `${rate(Math.min(...values))}–${rate(Math.max(...values))}` : "";
    const probe = samples.flatMap((sample) => (sample.probe === undefined ? [] : [sample.probe]));
    const note =
      result.error !== undefined
        ? `NOT MEASURED: ${result.error.split("\n")[0]}`
        : failed > 0
          ? `${failed} run(s) had failed responses and are left out`
          : "";
    return [
      result.target.label,
      rate(median(values)),
      spread,
      ms(median(samples.map((sample) => sample.p99Ms))),
      cpuMs(median(samples.map((sample) => sample.cpuMsPerRequest))),
      probe.length === 0
        ? ""
        : `${ms(median(probe.map((p) => p.idleP99Ms)))} → ${ms(median(probe.map((p) => p.stormP99Ms)))}`,
      note,
    ];
  });
  return formatTable(
    ["target", "req/s (median)", "min–max", "p99 ms", "server CPU ms/req", "trivial route p99 ms idle → storm", "note"],
    rows,
    ["left", "right", "right", "right", "right", "right", "left"],
  );
}

interface Verdict {
  readonly value: string;
  /** The same comparison from CPU time per request (den ÷ num), which other load disturbs far less. */
  readonly cpuValue: string;
  readonly detail: string;
  readonly target: string;
  readonly verdict: string;
}

function ratioVerdict(comparison: RatioComparison, byId: ReadonlyMap<string, TargetResult>): Verdict {
  const numerator = validSamples(byId.get(comparison.numerator));
  const denominator = validSamples(byId.get(comparison.denominator));
  const target = comparison.atLeast === undefined ? "" : `≥ ${comparison.atLeast}`;
  // Runs of the same round ran minutes apart at most: pair them, then take the median ratio.
  const perRound = numerator.flatMap((sample) => {
    const partner = denominator.find((other) => other.round === sample.round);
    return partner === undefined || partner.okPerSecond === 0 ? [] : [sample.okPerSecond / partner.okPerSecond];
  });
  const cpuPerRound = numerator.flatMap((sample) => {
    const partner = denominator.find((other) => other.round === sample.round);
    return partner === undefined || sample.cpuMsPerRequest <= 0
      ? []
      : [partner.cpuMsPerRequest / sample.cpuMsPerRequest];
  });
  if (perRound.length === 0) return { value: "—", cpuValue: "—", detail: "not measured", target, verdict: "" };
  const cpuValue = cpuPerRound.length === 0 ? "—" : `${median(cpuPerRound).toFixed(2)}×`;
  const ratio = median(perRound);
  const detail = `${rate(median(numerator.map((s) => s.okPerSecond)))} vs ${rate(median(denominator.map((s) => s.okPerSecond)))} req/s`;
  const verdict = comparison.atLeast === undefined ? "" : ratio >= comparison.atLeast ? "met" : "MISSED";
  return { value: `${ratio.toFixed(2)}×`, cpuValue, detail, target, verdict };
}

function stormVerdict(check: StormLatencyCheck, byId: ReadonlyMap<string, TargetResult>): Verdict {
  const probes = validSamples(byId.get(check.target)).flatMap((sample) =>
    sample.probe === undefined ? [] : [sample.probe],
  );
  const target = check.underMs === undefined ? "" : `< ${check.underMs} ms`;
  if (probes.length === 0) return { value: "—", cpuValue: "", detail: "not measured", target, verdict: "" };
  const storm = median(probes.map((probe) => probe.stormP99Ms));
  const idle = median(probes.map((probe) => probe.idleP99Ms));
  const verdict = check.underMs === undefined ? "" : storm < check.underMs ? "met" : "MISSED";
  return {
    value: `${ms(storm)} ms`,
    cpuValue: "",
    detail: `idle ${ms(idle)} ms (${(storm / Math.max(idle, 1)).toFixed(1)}×)`,
    target,
    verdict,
  };
}

function comparisonTable(results: BenchResults): string {
  const byId = new Map(results.targets.map((result) => [result.target.id, result]));
  const measured = (comparison: Comparison): boolean =>
    comparison.kind === "ratio"
      ? byId.has(comparison.numerator) && byId.has(comparison.denominator)
      : byId.has(comparison.target);
  const rows = COMPARISONS.filter(measured).map((comparison) => {
    const verdict = comparison.kind === "ratio" ? ratioVerdict(comparison, byId) : stormVerdict(comparison, byId);
    return [
      comparison.case,
      comparison.label,
      verdict.value,
      verdict.cpuValue,
      verdict.detail,
      verdict.target,
      verdict.verdict,
    ];
  });
  return formatTable(["case", "comparison", "ratio / p99", "CPU-based ratio", "from", "target", "verdict"], rows, [
    "left",
    "left",
    "right",
    "right",
    "left",
    "left",
    "left",
  ]);
}

function memoryTable(results: BenchResults): string {
  const rows = results.servers.map((entry) => [
    entry.server.label,
    entry.server.isAuth101 ? "yes" : "",
    entry.peakRssBytes === undefined ? "—" : (entry.peakRssBytes / 1024 / 1024).toFixed(0),
    entry.error === undefined ? "" : `NOT STARTED: ${entry.error.split("\n")[0]}`,
  ]);
  return formatTable(["server process", "auth101", "peak RSS MiB", "note"], rows, ["left", "left", "right", "left"]);
}

function microTable(results: BenchResults): string {
  const { micro } = results;
  if (micro === undefined) return "skipped (BENCH_MICRO_MS=0)";
  if ("error" in micro) return `FAILED: ${micro.error}`;
  return formatTable(
    ["operation", "ops/s", "mean ms"],
    micro.map((entry) => [
      entry.name,
      rate(entry.opsPerSecond),
      entry.meanMs < 0.1 ? entry.meanMs.toFixed(4) : entry.meanMs.toFixed(2),
    ]),
    ["left", "right", "right"],
  );
}

/** How much the machine's own speed moved over the run, from the fixed task timed before each round. */
export function machineSpeedLine(fixedTaskMs: readonly number[]): string {
  if (fixedTaskMs.length === 0) return "machine speed: not probed";
  const fastest = Math.min(...fixedTaskMs);
  const slowest = Math.max(...fixedTaskMs);
  return (
    `machine speed: the same CPU-bound task took ${fastest.toFixed(0)}–${slowest.toFixed(0)} ms before the rounds ` +
    `(slowest ÷ fastest ${(slowest / fastest).toFixed(2)}); one round's ratio can move by as much`
  );
}

/** The whole report: settings and machine, then throughput, comparisons, memory and the core alone. */
export function formatReport(results: BenchResults): string {
  const { config, machine } = results;
  const seconds = (value: number): string => `${Number(value.toFixed(2))} s`;
  const settings =
    `${config.rounds} round(s), interleaved; session runs ${seconds(config.sessionSeconds)}, sign-in storms ${seconds(config.signInSeconds)}, ` +
    `each after warm-up (sessions ${seconds(config.warmupSeconds)}, storms ${config.connections * 2} sign-ins); ${config.connections} connections; trivial-route probe ${config.probeRate} req/s on 1 connection`;
  return [
    "auth101 benchmark",
    `machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${machine.date}`,
    `settings: ${settings}`,
    `load average (1 min): ${results.machine.loadAverageAtStart.toFixed(1)} before the run, ${results.loadAverageAtEnd.toFixed(1)} at its end (its own load included)` +
      (results.machine.loadAverageAtStart > results.machine.cpus / 2
        ? " — other work was competing for the CPUs: trust the ratios more than the absolute numbers"
        : ""),
    machineSpeedLine(results.fixedTaskMs),
    "",
    "Throughput (median of the rounds; runs with any non-2xx response or socket error are left out)",
    throughputTable(results),
    "",
    "Comparisons (ratio = median over rounds of the same-round req/s ratio; verdict on it. CPU-based ratio = the same from",
    "server CPU ms per request, inverted so that both read alike: it moves far less when other processes load the machine)",
    comparisonTable(results),
    "",
    "Memory (peak RSS of each server process over the whole run)",
    memoryTable(results),
    "",
    "Core alone (in-process micro-benchmark, tinybench; printed, not asserted)",
    microTable(results),
    "",
    `finished in ${results.elapsedSeconds.toFixed(0)} s`,
  ].join("\n");
}
