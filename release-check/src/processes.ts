import { spawn } from "node:child_process";
import { delimiter } from "node:path";

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment a user's shell would have: no variables from the workspace's pnpm run (its
 * npm_config_*, its node_modules/.bin on PATH) nor from the vitest worker, so what runs in a
 * consumer project sees only that project.
 */
export function consumerEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm_|PNPM_SCRIPT_|VITEST|TEST$|NODE_ENV$|NODE_OPTIONS$|NODE_PATH$|INIT_CWD$)/i.test(key)) continue;
    env[key] = value;
  }
  // Keep where the user's registry and store are (CI may set these), nothing else of npm's.
  for (const key of ["npm_config_registry", "npm_config_store_dir", "npm_config_cache"]) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  env["PATH"] = (process.env["PATH"] ?? "")
    .split(delimiter)
    .filter((entry) => !/node_modules[\\/]\.bin[\\/]?$/.test(entry))
    .join(delimiter);
  return { ...env, ...extra };
}

export function run(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? consumerEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 120_000,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command and returns its stdout, or throws with everything it printed. */
export async function runOrThrow(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `\`${command} ${args.join(" ")}\` in ${options.cwd} exited with ${String(result.code)}\n` +
        `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result.stdout;
}
