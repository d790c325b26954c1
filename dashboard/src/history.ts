// What the plots show, kept for the last minutes while the page is open
// (whatever page is shown): events per second from the live stream, and each
// projection's lag from projectionStatus, asked every 2 seconds.
import { useEffect, useState } from "preact/hooks";
import type { Series } from "./chart.tsx";
import { EventFeed } from "./event-feed.ts";
import { request } from "./graphql.ts";
import { loadSchema } from "./schema.ts";

const WINDOW_SECONDS = 300;
const LAG_EVERY_MS = 2_000;

export interface ProjectionLag {
  name: string;
  msBehind: number;
  eventsBehind: number;
  lagP99Ms: number | null;
}

let feed: EventFeed | undefined;
const lagSamples: Array<{ at: number; lags: ProjectionLag[] }> = [];
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

/** Started once, by the shell. */
export async function startHistory(): Promise<void> {
  const schema = await loadSchema();
  feed = new EventFeed(schema);
  feed.onChange(notify);
  await feed.start();
  const sampleLag = async () => {
    try {
      const { projectionStatus } = await request<{ projectionStatus: ProjectionLag[] }>("{ projectionStatus { name msBehind eventsBehind lagP99Ms } }");
      lagSamples.push({ at: Date.now() / 1000, lags: projectionStatus });
      while ((lagSamples[0]?.at ?? Infinity) < Date.now() / 1000 - WINDOW_SECONDS) lagSamples.shift();
      notify();
    } catch {
      // Offline: the plot shows the gap.
    }
  };
  void sampleLag();
  setInterval(sampleLag, LAG_EVERY_MS);
}

export interface History {
  feed?: EventFeed;
  eventsPerSecond: Series;
  /** Age of the oldest event each projection has not applied yet. */
  projectionLag: Series;
  /** Each projection's p99 commit-to-read-model delay (over its last 1000 events). */
  projectionDelayP99: Series;
}

export function useHistory(): History {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    // The events/s window moves on even when nothing happens.
    const timer = setInterval(listener, 1_000);
    return () => {
      listeners.delete(listener);
      clearInterval(timer);
    };
  }, []);
  return { feed, eventsPerSecond: eventsPerSecond(), projectionLag: projectionSeries((l) => l.msBehind), projectionDelayP99: projectionSeries((l) => l.lagP99Ms) };
}

function eventsPerSecond(): Series {
  const now = Math.floor(Date.now() / 1000);
  const times: number[] = [];
  const values: number[] = [];
  for (let second = now - 120; second <= now; second++) {
    times.push(second);
    values.push(feed?.perSecond.get(second) ?? 0);
  }
  return { times, lines: [{ label: "events/s", values }] };
}

function projectionSeries(value: (lag: ProjectionLag) => number | null): Series {
  const names = [...new Set(lagSamples.flatMap((s) => s.lags.map((l) => l.name)))];
  return {
    times: lagSamples.map((s) => s.at),
    lines: names.map((name) => ({ label: name, values: lagSamples.map((s) => { const lag = s.lags.find((l) => l.name === name); return lag ? value(lag) : null; }) })),
  };
}
