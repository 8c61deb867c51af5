import type { LoadResult } from "./load.js";

export interface SequenceRequest {
  readonly method: "POST" | "GET";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface SequenceAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * A request loop for endpoints whose requests cannot repeat (a session signed out once is
 * gone; a password change answers the token of the next one), which autocannon's fixed
 * request lists cannot express: `workers` loops, each asking `next` for its next request
 * (`undefined` ends that loop) until `seconds` have passed, each request waiting for the
 * previous answer. Requests in flight when the time is up are awaited and counted.
 */
export async function runSequence(
  workers: number,
  seconds: number,
  next: (worker: number, previous: SequenceAnswer | undefined) => SequenceRequest | undefined,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async (worker: number): Promise<void> => {
    let previous: SequenceAnswer | undefined;
    while (performance.now() < deadline) {
      const request = next(worker, previous);
      if (request === undefined) return;
      const sent = performance.now();
      try {
        const response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          signal: AbortSignal.timeout(30_000),
        });
        const body: unknown = await response.json().catch(() => undefined);
        latencies.push(performance.now() - sent);
        if (response.status >= 200 && response.status < 300) ok += 1;
        else failures += 1;
        previous = { status: response.status, body };
      } catch {
        failures += 1;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, worker) => loop(worker)));
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (share: number): number =>
    latencies.length === 0
      ? Number.NaN
      : Math.round(latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))] ?? Number.NaN);
  return {
    okPerSecond: elapsedSeconds > 0 ? ok / elapsedSeconds : 0,
    seconds: elapsedSeconds,
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
    responses: latencies.length,
    failures,
  };
}
