// The dashboard and GraphiQL's files into public/ (dashboard/vite.config.ts),
// run by `npm start` and the test setup so nobody has to remember it. The
// test setup builds once and sets EDGE_DASHBOARD_BUILT, so the `npm start`s
// that tests spawn do not rebuild public/ under each other.
import { fileURLToPath } from "node:url";
import { build } from "vite";

const CONFIG = fileURLToPath(new URL("../../dashboard/vite.config.ts", import.meta.url));
export const DASHBOARD_BUILT = "EDGE_DASHBOARD_BUILT";

export async function buildDashboard(): Promise<void> {
  if (process.env[DASHBOARD_BUILT] === "1") return;
  await build({ configFile: CONFIG, logLevel: "warn" });
}
