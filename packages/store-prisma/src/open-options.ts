/** The second argument of `PrismaUserStore.open(url, options)`. */
export interface OpenOptions {
  /** Longest wait for a database connection (opening one or taking one from the pool). Default 2000 ms. */
  readonly connectTimeoutMs?: number;
  /** Longest a query may take once sent; on SQLite, the wait for another writer's lock. Default 5000 ms. */
  readonly queryTimeoutMs?: number;
}

export interface ConnectionTimeouts {
  /** Longest wait for a connection: opening one, or getting one from a busy pool. */
  readonly connectTimeoutMs: number;
  /** Longest a query may run once sent, or wait for SQLite's write lock. */
  readonly queryTimeoutMs: number;
}

const DEFAULT_TIMEOUTS: ConnectionTimeouts = { connectTimeoutMs: 2_000, queryTimeoutMs: 5_000 };
const KNOWN_OPTIONS: readonly string[] = ["connectTimeoutMs", "queryTimeoutMs"] satisfies (keyof OpenOptions)[];

/** Checks `open()`'s options; a misspelled one is refused rather than silently ignored. */
export function resolveOpenOptions(options: OpenOptions | undefined): ConnectionTimeouts {
  if (options === undefined) return DEFAULT_TIMEOUTS;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(
      `PrismaUserStore.open(url, options): options must be an object ({ ${KNOWN_OPTIONS.join(", ")} })`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new TypeError(
        `PrismaUserStore.open(): unknown option "${key}". Known options: ${KNOWN_OPTIONS.join(", ")}`,
      );
    }
  }
  return {
    connectTimeoutMs:
      positiveMilliseconds(options.connectTimeoutMs, "connectTimeoutMs") ?? DEFAULT_TIMEOUTS.connectTimeoutMs,
    queryTimeoutMs: positiveMilliseconds(options.queryTimeoutMs, "queryTimeoutMs") ?? DEFAULT_TIMEOUTS.queryTimeoutMs,
  };
}

function positiveMilliseconds(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `PrismaUserStore.open(): ${name} must be a positive number of milliseconds; got ${String(value)}`,
    );
  }
  return Math.ceil(value);
}
