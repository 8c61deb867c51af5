/**
 * Messages between the harness (parent) and a benchmark server (child process, over the
 * IPC channel `child_process.fork` opens).
 */

/** Child → parent, once: the server listens on 127.0.0.1:`port`. */
export interface ListeningMessage {
  readonly type: "listening";
  readonly port: number;
}

/** Child → parent, once: the child could not start. */
export interface FailedMessage {
  readonly type: "failed";
  readonly reason: string;
}

/** Child → parent, in answer to a stop request, just before it exits. */
export interface StoppedMessage {
  readonly type: "stopped";
  /** Peak resident set size of the whole process over its life (getrusage maxrss). */
  readonly peakRssBytes: number;
}

/** Child → parent, in answer to a usage request. */
export interface UsageMessage {
  readonly type: "usage";
  /** User plus system CPU time of the whole process (every thread) so far, in microseconds. */
  readonly cpuMicros: number;
}

/** Parent → child. */
export interface StopMessage {
  readonly type: "stop";
}

/** Parent → child: answer with a {@link UsageMessage}. */
export interface UsageRequestMessage {
  readonly type: "usage-request";
}

export type ServerMessage = ListeningMessage | FailedMessage | StoppedMessage | UsageMessage;

export function isServerMessage(value: unknown): value is ServerMessage {
  if (typeof value !== "object" || value === null || !("type" in value)) return false;
  return value.type === "listening" || value.type === "failed" || value.type === "stopped" || value.type === "usage";
}
