// CPU time of the processes a bench started, read from /proc (Linux only).
// Unlike a rate it barely moves when other work shares the machine, so a
// per-request cost can be read on a busy machine.
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ on Linux: /proc's CPU times are in these ticks. */
export const TICKS_PER_SECOND = 100;

/** CPU ticks (user + system) per command name, over this process's descendants (not itself). */
export function descendantTicks(): Map<string, number> {
  const processes = readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return [{ pid: Number(entry), ppid: Number(fields[1]), name, ticks: Number(fields[11]) + Number(fields[12]) }];
    } catch {
      return []; // gone meanwhile
    }
  });
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of processes) if (!ours.has(p.pid) && ours.has(p.ppid)) (ours.add(p.pid), (grew = true));
  }
  const byName = new Map<string, number>();
  for (const p of processes) if (p.pid !== process.pid && ours.has(p.pid)) byName.set(p.name, (byName.get(p.name) ?? 0) + p.ticks);
  return byName;
}
