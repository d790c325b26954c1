import type { ComponentChildren } from "preact";
import type { RequestError } from "./graphql.ts";

export function Panel(props: { title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <section class={props.wide ? "panel wide" : "panel"} aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** For a field the server's schema does not have (yet). */
export function NotAvailable(props: { field: string }) {
  return (
    <p class="not-available">
      Not available: this server has no <code>{props.field}</code>.
    </p>
  );
}

export function ErrorLine(props: { error?: RequestError }) {
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      {props.error.code}: {props.error.message}
    </p>
  );
}

export function Stat(props: { label: string; value: unknown; testId?: string }) {
  return (
    <div class="stat">
      <span class="stat-value" data-testid={props.testId}>
        {formatValue(props.value)}
      </span>
      <span class="stat-label">{props.label}</span>
    </div>
  );
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en") : value.toFixed(2);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Rows of objects as a table; columns are the first row's keys unless given. */
export function Table(props: { rows: Array<Record<string, unknown>>; columns?: string[]; caption: string; onSelect?: (row: Record<string, unknown>) => void; empty?: string }) {
  const columns = props.columns ?? Object.keys(props.rows[0] ?? {});
  if (props.rows.length === 0) return <p class="empty">{props.empty ?? "Nothing yet."}</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col">{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr
              class={props.onSelect ? "selectable" : undefined}
              tabIndex={props.onSelect ? 0 : undefined}
              onClick={props.onSelect ? () => props.onSelect?.(row) : undefined}
              onKeyDown={props.onSelect ? (e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), props.onSelect?.(row)) : undefined}
            >
              {columns.map((c) => (
                <td>{formatValue(row[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Json(props: { value: unknown; label: string }) {
  return (
    <pre class="json" aria-label={props.label} tabIndex={0}>
      {JSON.stringify(props.value, null, 2)}
    </pre>
  );
}
