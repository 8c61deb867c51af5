/** Seconds the caller must wait, when throttled. */
export type Throttle = { readonly retryAfterSeconds: number } | undefined;

interface Window {
  attempts: number;
  readonly endsAt: number;
}

/**
 * Fixed-window attempt counters in this process's memory, tracking at most `maxKeys` keys.
 *
 * Eviction rule: windows that have ended are dropped first; when `maxKeys` windows are still
 * running, a new key evicts the one whose window started longest ago (and so ends soonest).
 * Windows all last `windowSeconds`, so the Map's insertion order is also their end order and
 * both steps cost O(1). Memory is bounded by `maxKeys` whatever the number of distinct keys;
 * the price of the bound is that a flood of more than `maxKeys` fresh keys within one window
 * can evict, and so reset, a running counter.
 */
export class BoundedCounters {
  readonly #attempts: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #windows = new Map<string, Window>();

  constructor(rule: { readonly attempts: number; readonly windowSeconds: number }, maxKeys: number) {
    this.#attempts = rule.attempts;
    this.#windowMs = rule.windowSeconds * 1000;
    this.#maxKeys = maxKeys;
  }

  /** How many keys are tracked now. */
  get size(): number {
    return this.#windows.size;
  }

  /** Counts one attempt for `key`; a throttle when that exceeds the rule. */
  consume(key: string): Throttle {
    const now = Date.now();
    let window = this.#running(key, now);
    if (window === undefined) {
      this.#makeRoom(now);
      window = { attempts: 0, endsAt: now + this.#windowMs };
      this.#windows.set(key, window);
    }
    window.attempts += 1;
    if (window.attempts <= this.#attempts) return undefined;
    return { retryAfterSeconds: Math.max(1, Math.ceil((window.endsAt - now) / 1000)) };
  }

  /** Gives one attempt back to a running window; creates nothing. */
  refund(key: string): void {
    const window = this.#running(key, Date.now());
    if (window !== undefined && window.attempts > 0) window.attempts -= 1;
  }

  forget(key: string): void {
    this.#windows.delete(key);
  }

  #running(key: string, now: number): Window | undefined {
    const window = this.#windows.get(key);
    if (window === undefined) return undefined;
    if (window.endsAt > now) return window;
    this.#windows.delete(key);
    return undefined;
  }

  #makeRoom(now: number): void {
    for (const [key, window] of this.#windows) {
      if (window.endsAt > now && this.#windows.size < this.#maxKeys) return;
      this.#windows.delete(key);
    }
  }
}
