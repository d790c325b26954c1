// The upcaster chain's lookup, A/B in one process: "old" keyed each event by
// a `${type}@${schemaVersion}` string (before the change), "new" looks up by
// type, then version (src/domain/shared/upcaster.ts). 1,000 category events
// with fresh type strings (as the driver hands them, not internalized), the
// domain's real upcasters, 400 alternating passes, the median of the last 350.
//
//   npx tsx scripts/bench/upcast-chain-ab.ts
import { productUpcasters } from "../../src/domain/product/upcasters.ts";
type E = { type: string; schemaVersion: number; data: unknown; version: number };
type U = { eventType: string; fromSchemaVersion: number; upcast(d: unknown): unknown };
function oldChain(upcasters: readonly U[]) {
  const byKey = new Map(upcasters.map((u) => [`${u.eventType}@${u.fromSchemaVersion}`, u]));
  return (event: E) => { let current = event; for (let next = byKey.get(`${current.type}@${current.schemaVersion}`); next; next = byKey.get(`${current.type}@${current.schemaVersion}`)) current = { ...current, data: next.upcast(current.data), schemaVersion: current.schemaVersion + 1 }; return current; };
}
function newChain(upcasters: readonly U[]) {
  const byType = new Map<string, Map<number, U>>();
  for (const u of upcasters) { let v = byType.get(u.eventType); if (!v) byType.set(u.eventType, (v = new Map())); v.set(u.fromSchemaVersion, u); }
  return (event: E) => { const versions = byType.get(event.type); if (versions === undefined) return event; let current = event; for (let next = versions.get(current.schemaVersion); next; next = versions.get(current.schemaVersion)) current = { ...current, data: next.upcast(current.data), schemaVersion: current.schemaVersion + 1 }; return current; };
}
// fresh, non-internalized type strings, as the driver hands them
const events = (): E[] => JSON.parse(JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ type: i ? "category.updated" : "category.created", schemaVersion: 1, data: { id: "x", name: `n${i}` }, version: i + 1 }))));
const chains = { old: oldChain(productUpcasters), new: newChain(productUpcasters) };
const t: Record<string, number[]> = { old: [], new: [] };
for (let r = 0; r < 400; r++) for (const k of (r % 2 ? ["old", "new"] : ["new", "old"]) as ("old" | "new")[]) {
  const es = events(); const s = performance.now(); let n = 0; for (const e of es) n += chains[k](e).version; t[k]!.push(performance.now() - s);
}
for (const k of ["old", "new"]) { const s = t[k]!.slice(50).sort((a, b) => a - b); console.log(k, "median ms per 1000 events", s[s.length >> 1]!.toFixed(4)); }
