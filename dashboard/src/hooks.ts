import { useEffect, useRef, useState } from "preact/hooks";
import { RequestError } from "./graphql.ts";
import { connectionState, onConnectionState, type ConnectionState } from "./live.ts";
import { loadSchema, type Schema } from "./schema.ts";

export function useSchema(): Schema | undefined {
  const [schema, setSchema] = useState<Schema>();
  useEffect(() => {
    void loadSchema().then(setSchema);
  }, []);
  return schema;
}

export function useConnectionState(): ConnectionState {
  const [state, setState] = useState(connectionState());
  useEffect(() => onConnectionState(setState), []);
  return state;
}

export interface Polled<T> {
  data?: T;
  error?: RequestError;
  refresh: () => void;
}

/** Runs `load` now and every `everyMs` while mounted (never two at once); undefined `load` waits. */
export function usePoll<T>(load: (() => Promise<T>) | undefined, everyMs: number, deps: unknown[]): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<RequestError>();
  const [tick, setTick] = useState(0);
  const running = useRef(false);
  useEffect(() => {
    if (!load) return;
    let active = true;
    const run = async () => {
      if (running.current) return;
      running.current = true;
      try {
        const value = await load();
        if (active) {
          setData(value);
          setError(undefined);
        }
      } catch (caught) {
        if (active) setError(caught instanceof RequestError ? caught : new RequestError(String(caught), "CLIENT"));
      } finally {
        running.current = false;
      }
    };
    void run();
    const timer = setInterval(run, everyMs);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, [...deps, tick, load === undefined]);
  return { data, error, refresh: () => setTick((t) => t + 1) };
}
