// `npm start`: the local stack (the dashboard build, embedded Postgres, migrations, the WebSocket
// proxy, `wrangler dev`) until Ctrl-C. Environment: PORT (8787), PG_PORT
// (54329), EDGE_DATA_DIR (.data/), DATABASE_URL (use that Postgres instead of
// the embedded one). Exits 0 after a signal, non-zero if anything fails.
import { buildDashboard } from "./lib/dashboard-build.ts";
import { LocalPostgresError } from "./lib/local-postgres.ts";
import { takeOverShutdownSignals } from "./lib/shutdown-signals.ts";
import { startStack, type LocalStack, type StackUrls } from "./lib/stack.ts";
import { StackError } from "./lib/stack-error.ts";
import { stackOptionsFromEnv } from "./lib/stack-options.ts";

const FORCE_AFTER_MS = 1_000;

async function main(): Promise<number> {
  const shutdown = new AbortController();
  let stack: LocalStack | undefined;
  let firstSignalAt = 0;
  takeOverShutdownSignals(() => {
    if (!shutdown.signal.aborted) {
      firstSignalAt = Date.now();
      return shutdown.abort();
    }
    // A terminal Ctrl-C reaches us from the terminal and again through npm and
    // tsx, which pass it on: only a signal well after the first one means "now".
    if (Date.now() - firstSignalAt < FORCE_AFTER_MS) return;
    console.error("Second Ctrl-C: killing wrangler and exiting without waiting.");
    stack?.kill();
    process.exit(130);
  });

  try {
    console.log("Building the dashboard into public/...");
    await buildDashboard();
    stack = await startStack({ ...stackOptionsFromEnv(), command: "npm start", signal: shutdown.signal });
  } catch (error) {
    if (shutdown.signal.aborted) {
      console.log("Stopped before the stack was ready.");
      return 0;
    }
    printFailure(error);
    return 1;
  }
  printUrls(stack.urls);

  const ending = await Promise.race([
    new Promise<"signal">((resolve) => shutdown.signal.addEventListener("abort", () => resolve("signal"))),
    stack.exited.then(() => "wrangler" as const),
  ]);
  if (ending === "wrangler") console.error("\nwrangler dev stopped unexpectedly; stopping the rest of the stack.");
  else console.log("\nStopping wrangler, the proxy and Postgres... (Ctrl-C again to force)");
  try {
    await stack.stop();
  } catch (error) {
    printFailure(error);
    return 1;
  }
  console.log("Stopped.");
  return ending === "signal" ? 0 : 1;
}

function printUrls(urls: StackUrls): void {
  console.log(
    [
      "",
      "The local stack is ready:",
      `  GraphQL (GraphiQL)   ${urls.graphql}`,
      `  GraphQL WebSocket    ${urls.websocket}`,
      `  Dashboard            ${urls.dashboard}`,
      `  Health               ${urls.health}`,
      `  Database             ${urls.database}`,
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
}

function printFailure(error: unknown): void {
  if (error instanceof StackError || error instanceof LocalPostgresError) {
    console.error(`\n${error.message}`);
  } else {
    console.error(`\nThe local stack failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

process.exit(await main());
