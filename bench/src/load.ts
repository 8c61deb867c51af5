import autocannon from "autocannon";

/** One request of a sequence that every connection cycles through. */
export interface RequestVariant {
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface LoadOptions {
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
  readonly method?: "GET" | "POST";
  /** The requests each connection sends in turn, round and round; one plain request when absent. */
  readonly variants?: readonly RequestVariant[];
  /** Stop after this many responses instead of after `seconds` (which then only bounds the run). */
  readonly amount?: number;
  /** Requests per second over all connections; unlimited when absent. */
  readonly overallRate?: number;
}

export interface LoadResult {
  /** 2xx responses per second of the run. */
  readonly okPerSecond: number;
  /** How long the run took, as autocannon measured it. */
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly responses: number;
  /** Responses that were not 2xx, plus connection errors and timeouts: each makes the run invalid. */
  readonly failures: number;
}

/** One autocannon run from this process; resolves when its duration is over. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const method = options.method ?? "GET";
  const path = new URL(options.url).pathname;
  const requests = (options.variants ?? [{}]).map((variant) => ({
    method,
    path,
    headers: { ...variant.headers },
    ...(variant.body !== undefined && { body: variant.body }),
  }));
  const result = await autocannon({
    url: options.url,
    duration: options.seconds,
    connections: options.connections,
    method,
    requests,
    ...(options.overallRate !== undefined && { overallRate: options.overallRate }),
    ...(options.amount !== undefined && { amount: options.amount }),
    timeout: 30,
  });
  const ok = result["2xx"];
  return {
    okPerSecond: result.duration > 0 ? ok / result.duration : 0,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    responses: result.requests.total,
    failures: result.non2xx + result.errors,
  };
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
