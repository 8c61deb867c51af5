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

/** Parent → child. */
export interface StopMessage {
  readonly type: "stop";
}

export type ServerMessage = ListeningMessage | FailedMessage | StoppedMessage;

export function isServerMessage(value: unknown): value is ServerMessage {
  if (typeof value !== "object" || value === null || !("type" in value)) return false;
  return value.type === "listening" || value.type === "failed" || value.type === "stopped";
}
