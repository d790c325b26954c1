// Where workerd's CPU goes while the stack serves one kind of request: a CPU
// profile of the local `wrangler dev` (Worker and every Durable Object run in
// its one isolate) through its inspector, summed by bundled module (esbuild's
// `// src/...` markers in the bundle) and by function, self and inclusive.
// Profiling inflates every figure (read them as shares of the busy time).
//   npx tsx scripts/bench/workerd-profile.ts [--only write] [--requests 300] [--clients 4] [--interval-us 200] [--top 40] [--save /tmp/x.cpuprofile]
// Rows: floor ({ __typename }), write (each client renames its own category),
// hot (every client renames one category).
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { findFreePort } from "../lib/ports.ts";
import { graphql, openTarget } from "./stack.ts";

const { values: args } = parseArgs({
  options: {
    only: { type: "string", default: "write" },
    requests: { type: "string", default: "300" },
    clients: { type: "string", default: "4" },
    "interval-us": { type: "string", default: "200" },
    top: { type: "string", default: "40" },
    save: { type: "string" },
  },
});
const requests = Number(args.requests);
const clients = Number(args.clients);
const top = Number(args.top);

interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A minimal Chrome DevTools Protocol session over the inspector's WebSocket. */
async function inspect(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => (socket.once("open", resolve), socket.once("error", reject)));
  let next = 1;
  const waiting = new Map<number, (result: any) => void>();
  const scripts: { scriptId: string; url: string }[] = [];
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    if (message.id && waiting.has(message.id)) waiting.get(message.id)!(message.result ?? message.error);
    if (message.method === "Debugger.scriptParsed") scripts.push(message.params);
  });
  const send = (method: string, params: Record<string, unknown> = {}): Promise<any> =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { send, scripts, close: () => socket.close() };
}

/** For each script, the module (esbuild's `// path` comment) each line belongs to. */
async function moduleLines(session: Awaited<ReturnType<typeof inspect>>, scriptIds: Set<string>): Promise<Map<string, string[]>> {
  const byScript = new Map<string, string[]>();
  for (const scriptId of scriptIds) {
    const { scriptSource } = (await session.send("Debugger.getScriptSource", { scriptId })) as { scriptSource?: string };
    if (!scriptSource) continue;
    let current = "(bundle)";
    byScript.set(
      scriptId,
      scriptSource.split("\n").map((line) => {
        const marker = /^\/\/ ((?:src|durable-objects|node_modules|schema)\/\S+)$/.exec(line);
        if (marker) current = marker[1]!.replace(/^node_modules\/(\.pnpm\/)?((@[^/]+\/)?[^/]+).*/, "node_modules/$2");
        return current;
      }),
    );
  }
  return byScript;
}

function summarize(profile: CpuProfile, modules: Map<string, string[]>) {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const moduleOf = (frame: CallFrame) => (frame.url ? (modules.get(frame.scriptId)?.[frame.lineNumber] ?? frame.url.split("/").pop()!) : `(${frame.functionName || "native"})`);
  const functionOf = (frame: CallFrame) => `${frame.functionName || "(anonymous)"} [${moduleOf(frame)}:${frame.lineNumber + 1}]`;
  const self = { module: new Map<string, number>(), fn: new Map<string, number>() };
  const inclusive = { module: new Map<string, number>(), fn: new Map<string, number>() };
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    total += us;
    const leaf = byId.get(id)!.callFrame;
    if (leaf.functionName === "(idle)" || leaf.functionName === "(program)") idle += leaf.functionName === "(idle)" ? us : 0;
    add(self.module, moduleOf(leaf), us);
    add(self.fn, functionOf(leaf), us);
    const seenModules = new Set<string>();
    const seenFunctions = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const frame = byId.get(node)!.callFrame;
      seenModules.add(moduleOf(frame));
      seenFunctions.add(functionOf(frame));
    }
    for (const m of seenModules) add(inclusive.module, m, us);
    for (const f of seenFunctions) add(inclusive.fn, f, us);
  });
  return { total, idle, self, inclusive };
}

// scripts/lib/wrangler-dev.ts passes it to wrangler dev as --inspector-port.
process.env.PROFILE_INSPECTOR_PORT ??= String(await findFreePort());
const target = await openTarget("npx tsx scripts/bench/workerd-profile.ts", undefined, undefined);
const inspectorPort = Number(process.env.PROFILE_INSPECTOR_PORT);
try {
  const call = (query: string, variables: Record<string, unknown> = {}) => graphql(target.graphql, query, variables, true);
  const own: string[] = [];
  for (let c = 0; c < clients; c++) own.push((await call(`mutation { createCategory(input: { name: "Profile writer ${c}" }) { id } }`)).createCategory.id);
  const hot = (await call(`mutation { createCategory(input: { name: "Profile hot" }) { id } }`)).createCategory.id as string;
  const update = `mutation($id: ID!, $name: String!) { updateCategory(input: { id: $id, name: $name }) { version } }`;
  const rows: Record<string, (c: number, i: number) => Promise<unknown>> = {
    floor: () => call("{ __typename }"),
    write: (c, i) => call(update, { id: own[c], name: `Profile ${c} ${i}` }),
    hot: (c, i) => call(update, { id: hot, name: `Profile hot ${c} ${i}` }),
  };
  const drive = async (row: (c: number, i: number) => Promise<unknown>, count: number) => {
    let left = count;
    await Promise.all(Array.from({ length: clients }, async (_, c) => { for (let i = 0; left-- > 0; i++) await row(c, i); }));
  };
  const session = await inspect(inspectorPort);
  await session.send("Debugger.enable");
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: Number(args["interval-us"]) });
  for (const name of args.only.split(",")) {
    const row = rows[name];
    if (!row) throw new Error(`unknown row ${name} (floor, write, hot)`);
    await drive(row, 50); // warm-up: connections, JIT
    await new Promise((r) => setTimeout(r, 1_000));
    const load = loadavg()[0]!;
    await session.send("Profiler.start");
    const began = performance.now();
    await drive(row, requests);
    const wall = performance.now() - began;
    await new Promise((r) => setTimeout(r, 1_500)); // what runs after the answers: consumers, telemetry
    const { profile } = (await session.send("Profiler.stop")) as { profile: CpuProfile };
    if (args.save) writeFileSync(args.save.replace(/(\.cpuprofile)?$/, `-${name}.cpuprofile`), JSON.stringify(profile));
    const modules = await moduleLines(session, new Set(profile.nodes.map((n) => n.callFrame.scriptId).filter((id) => id !== "0")));
    const { total, idle, self, inclusive } = summarize(profile, modules);
    const busy = total - idle;
    const perRequest = (us: number) => (us / requests / 1000).toFixed(2);
    const table = (title: string, map: Map<string, number>) => {
      console.log(`\n${title} (ms per request, share of busy)`);
      for (const [key, us] of [...map].filter(([k]) => k !== "((idle))").sort((a, b) => b[1] - a[1]).slice(0, top)) {
        console.log(`${perRequest(us).padStart(7)}  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${key}`);
      }
    };
    console.log(`\n=== ${name}: ${requests} requests, ${clients} clients, ${(wall / 1000).toFixed(1)} s, load ${load.toFixed(2)}; busy ${perRequest(busy)} ms per request (idle ${perRequest(idle)}) ===`);
    table("self time by module", self.module);
    table("inclusive time by module", inclusive.module);
    table("self time by function", self.fn);
    table("inclusive time by function", inclusive.fn);
  }
  session.close();
} finally {
  await target.close();
}
