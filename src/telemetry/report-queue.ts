// Execution reports leave in batches: one RPC per broadcaster shard per batch
// instead of per operation, which halved the stack's floor when it was per
// operation (docs/BENCHMARKS.md, "The floor"). A batch goes when it is
// `maxWaitMs` old or holds `maxReports`, whichever comes first. Each report's
// caller gets the promise of its own batch's send to hand to waitUntil, so a
// Worker request stays alive until its report has left. What can be lost: the
// batch being gathered when its isolate or Durable Object goes away (at most
// `maxWaitMs` of reports), as a lost RPC could before. 250 ms: a shard pays
// about 350 µs per report in a batch of one and under 100 in a batch of ten
// or more, so a slow read (fewer reports per 50 ms) paid more telemetry than
// the floor; the dashboard folds its pushes over 250 ms anyway
// (docs/BENCHMARKS.md, "The nested read: telemetry, timers, readers").
import type { ExecutionReport } from "./execution.ts";

export interface ReportQueueOptions {
  maxWaitMs: number;
  maxReports: number;
}

export const REPORT_QUEUE_DEFAULTS: ReportQueueOptions = { maxWaitMs: 250, maxReports: 100 };

type Batch = { reports: ExecutionReport[]; sent: Promise<void>; close: () => void };

export class ReportQueue {
  #open: Batch | undefined;

  constructor(
    private readonly send: (reports: ExecutionReport[]) => Promise<void>,
    private readonly options: ReportQueueOptions = REPORT_QUEUE_DEFAULTS,
  ) {}

  /** Queues a report; the promise settles once its batch has been sent (never rejects: `send` logs its failures). */
  add(report: ExecutionReport): Promise<void> {
    const batch = (this.#open ??= this.#openBatch());
    batch.reports.push(report);
    if (batch.reports.length >= this.options.maxReports) batch.close();
    return batch.sent;
  }

  #openBatch(): Batch {
    let release!: () => void;
    const closed = new Promise<void>((resolve) => (release = resolve));
    const timer = setTimeout(() => batch.close(), this.options.maxWaitMs);
    const batch: Batch = {
      reports: [],
      sent: closed.then(() => this.send(batch.reports)),
      close: () => {
        if (this.#open !== batch) return;
        this.#open = undefined;
        clearTimeout(timer);
        release();
      },
    };
    return batch;
  }
}
