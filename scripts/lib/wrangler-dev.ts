// `wrangler dev` as a child process the stack controls: its own process group,
// so a terminal Ctrl-C reaches the stack first and the stack stops it in order.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { REPO_ROOT } from "./stack-options.ts";

export interface WranglerDevOptions {
  port: number;
  /** Another entry module than wrangler.toml's `main` (a bench's Worker). */
  script?: string;
  /** Bindings passed with --var (strings only). */
  vars: Record<string, string>;
  /** Durable Object storage and other local state. */
  persistTo: string;
  /** Echo wrangler's output (request logs, errors) to this process's output. */
  echo?: boolean;
}

export interface WranglerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: string;
}

export interface WranglerDev {
  /** Pid of the wrangler launcher, which leads wrangler's process group. */
  pid: number | undefined;
  /** Settles when wrangler exits, for whatever reason. */
  exited: Promise<WranglerExit>;
  /** The last lines wrangler printed, for error messages. */
  recentOutput(): string;
  stop(): Promise<void>;
  /** Last resort when the stack must exit at once. */
  kill(): void;
}

const STOP_TIMEOUT_MS = 10_000;

// Devtools' port. Unset, wrangler takes the first free port from 9229, so two
// stacks starting at the same moment both take 9229 and the second fails to
// start ("Address already in use (socket direct:1:default)"): the e2e and
// browser tests, which start stacks side by side, set INSPECTOR_PORT=0 (any
// free port). The workerd profiler sets its own.
function inspectorPortArgs(): string[] {
  const port = process.env.PROFILE_INSPECTOR_PORT ?? process.env.INSPECTOR_PORT;
  return port ? ["--inspector-port", port] : [];
}

export function startWranglerDev(options: WranglerDevOptions): WranglerDev {
  const args = [
    join(REPO_ROOT, "node_modules/.bin/wrangler"),
    "dev",
    ...(options.script ? [options.script] : []),
    "--ip", "127.0.0.1",
    "--port", String(options.port),
    "--persist-to", options.persistTo,
    "--show-interactive-dev-session=false",
    ...inspectorPortArgs(),
    ...Object.entries(options.vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ];
  // process.execPath: the Node running this script (22 from node_modules), not
  // whatever `node` is first on PATH.
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
  const output = new RecentLines(30);
  child.stdout.on("data", (chunk: Buffer) => {
    output.add(chunk);
    if (options.echo !== false) process.stdout.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output.add(chunk);
    if (options.echo !== false) process.stderr.write(chunk);
  });

  const exited = new Promise<WranglerExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => resolve({ code: null, signal: null, error: error.message }));
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };

  return {
    pid: child.pid,
    exited,
    recentOutput: () => output.text(),
    kill: () => signalGroup("SIGKILL"),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM"); // the wrangler launcher passes it on and wrangler stops workerd
        const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
        if (!stopped) {
          signalGroup("SIGKILL");
          await exited;
        }
      }
      signalGroup("SIGTERM"); // anything wrangler left behind (workerd, esbuild)
    },
  };
}

class RecentLines {
  #lines: string[] = [];
  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    // eslint-disable-next-line no-control-regex
    const text = chunk.toString("utf8").replace(/\u001b\[[0-9;]*m/g, "");
    this.#lines.push(...text.split("\n").filter((line) => line.trim() !== ""));
    this.#lines.splice(0, Math.max(0, this.#lines.length - this.limit));
  }

  text(): string {
    return this.#lines.join("\n");
  }
}
