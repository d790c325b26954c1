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

/**
 * Runs `load` now and every `everyMs` while mounted (never two at once); undefined `load` waits.
 * `refresh` asked while a load is out runs one more after it, so a burst of
 * refreshes (one per live update) ends showing the newest state.
 */
export function usePoll<T>(load: (() => Promise<T>) | undefined, everyMs: number, deps: unknown[]): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<RequestError>();
  const refresh = useRef<() => void>(() => undefined);
  useEffect(() => {
    if (!load) return;
    let active = true;
    let running = false;
    let again = false;
    const run = async () => {
      if (running) return;
      running = true;
      try {
        const value = await load();
        if (active) {
          setData(value);
          setError(undefined);
        }
      } catch (caught) {
        if (active) setError(caught instanceof RequestError ? caught : new RequestError(String(caught), "CLIENT"));
      } finally {
        running = false;
        if (again && active) {
          again = false;
          void run();
        }
      }
    };
    refresh.current = () => {
      if (running) again = true;
      else void run();
    };
    void run();
    const timer = setInterval(run, everyMs);
    return () => {
      active = false;
      clearInterval(timer);
      refresh.current = () => undefined;
    };
  }, [...deps, everyMs, load === undefined]);
  return { data, error, refresh: () => refresh.current() };
}
