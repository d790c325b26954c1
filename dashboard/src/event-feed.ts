// The live event stream as the pages see it: the last events, each once, in
// the order they arrived, plus a count per second for the events/s plot.
// Resumes after a reconnect from the last position seen: with `after` when
// the server's eventStream takes it, and by reading the gap with the
// `events` query (which pages in the same log order); duplicates are dropped.
import { request } from "./graphql.ts";
import { follow } from "./live.ts";
import type { Schema } from "./schema.ts";

export interface EventRow {
  id: string;
  position: string;
  globalSequence: string;
  aggregateId: string;
  aggregateType: string;
  eventType: string;
  eventData: unknown;
  metadata: Record<string, unknown>;
  occurredAt: string;
  version: number;
}

export interface EventFilter {
  aggregateType?: string;
  eventType?: string;
}

const FIELDS = "id position globalSequence aggregateId aggregateType eventType eventData metadata occurredAt version";
const KEEP = 500;
const PAGE = 100;
const SECONDS_KEPT = 300;
/** How long a notice stays once the stream is back and the gap is read: long enough to be read. */
const NOTICE_AFTER_RECOVERY_MS = 5_000;

export class EventFeed {
  events: EventRow[] = [];
  /** Unix second -> events that occurred in it. */
  readonly perSecond = new Map<number, number>();
  error?: string;
  #seen = new Set<string>();
  #last?: string;
  #cursorRefused = false;
  #listeners = new Set<() => void>();
  #stop?: () => void;
  #noticeTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly schema: Schema,
    private readonly filter: EventFilter = {},
  ) {}

  async start(): Promise<void> {
    if (!this.filter.aggregateType && !this.filter.eventType) {
      const { recentEvents } = await request<{ recentEvents: EventRow[] }>(`{ recentEvents(limit: 50) { ${FIELDS} } }`).catch(() => ({ recentEvents: [] }));
      for (const event of recentEvents.reverse()) this.#add(event);
    }
    const canResume = this.schema.hasArg("Subscription", "eventStream", "after");
    this.#stop = follow<{ eventStream: EventRow | null }>({
      query: `subscription Events($after: String, $aggregateType: String, $eventType: String) {
        eventStream(${canResume ? "after: $after, " : ""}aggregateType: $aggregateType, eventType: $eventType) { ${FIELDS} } }`,
      variables: () => {
        const after = canResume && !this.#cursorRefused ? this.#last : undefined;
        this.#cursorRefused = false;
        return { ...this.filter, ...(after ? { after } : {}) };
      },
      next: ({ eventStream }) => eventStream && this.#add(eventStream),
      // Also with `after`: a server whose cursor replay misses messages must not leave a gap
      // (duplicates are dropped). Live messages may arrive before the gap is read, so it is
      // read from where the stream stopped.
      resumed: () => void this.#readGap(this.#last),
      error: (message, code) => {
        // A cursor older than the server's cache: read what was missed, then follow from now.
        this.error = code === "CURSOR_TOO_OLD" ? "Back after more than the server keeps (CURSOR_TOO_OLD): the missed events were read from the event log." : `${code ?? "ERROR"}: ${message}`;
        const from = this.#last;
        this.#cursorRefused = true;
        // Shown now, even if the gap brings nothing new.
        this.#notify();
        this.#stop?.();
        clearTimeout(this.#noticeTimer);
        const notice = this.error;
        void this.start()
          .then(() => this.#readGap(from))
          .then(() => {
            // Recovered: the notice goes after a while, unless a newer one replaced it.
            this.#noticeTimer = setTimeout(() => {
              if (this.error !== notice) return;
              this.error = undefined;
              this.#notify();
            }, NOTICE_AFTER_RECOVERY_MS);
          });
      },
    });
  }

  stop(): void {
    this.#stop?.();
    clearTimeout(this.#noticeTimer);
    this.#listeners.clear();
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #readGap(from: string | undefined): Promise<void> {
    for (let after = from; after; ) {
      const { events } = await request<{ events: EventRow[] }>(
        `query Gap($after: String, $aggregateType: String, $eventType: String, $limit: Int) {
          events(after: $after, aggregateType: $aggregateType, eventType: $eventType, limit: $limit) { ${FIELDS} } }`,
        { after, ...this.filter, limit: PAGE },
      );
      for (const event of events) this.#add(event, false);
      after = events.length === PAGE ? events[events.length - 1]?.position : undefined;
    }
  }

  /** A gap's events are older than what the stream brought meanwhile: they do not move the cursor. */
  #add(event: EventRow, moveCursor = true): void {
    if (this.#seen.has(event.position)) return;
    this.#seen.add(event.position);
    if (moveCursor) this.#last = event.position;
    this.events = [event, ...this.events].sort(newestFirst).slice(0, KEEP);
    if (this.#seen.size > KEEP * 4) this.#seen = new Set(this.events.map((e) => e.position));
    const second = Math.floor((Date.parse(event.occurredAt) || Date.now()) / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
    for (const old of this.perSecond.keys()) if (old < second - SECONDS_KEPT) this.perSecond.delete(old);
    this.#notify();
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

function newestFirst(a: EventRow, b: EventRow): number {
  const difference = BigInt(b.globalSequence) - BigInt(a.globalSequence);
  return difference > 0n ? 1 : difference < 0n ? -1 : 0;
}
