// What this machine says about a process, for telling a live stack from one
// that was killed. Linux answers through /proc; elsewhere only "does the pid
// exist" is known.
import { readFileSync } from "node:fs";

/** True if the pid belongs to a process that has not exited (a zombie has). */
export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const state = procStat(pid)?.[0];
  return state !== "Z" && state !== "X";
}

/** The process's arguments, or undefined where /proc cannot tell. */
export function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return undefined;
  }
}

/** When the process started (ms since the epoch), or undefined where /proc cannot tell. */
export function startTime(pid: number): number | undefined {
  try {
    const ticksAfterBoot = Number(procStat(pid)?.[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    const started = bootSeconds * 1000 + ticksAfterBoot * 10; // USER_HZ is 100 on Linux
    return Number.isFinite(started) ? started : undefined;
  } catch {
    return undefined;
  }
}

// Fields of /proc/<pid>/stat from the third (state) on; the second (the
// command name in parentheses) may itself contain spaces.
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}
