// The dashboard: one page, a panel per area, routed by the URL hash so the
// Worker serves it as one static file. Every figure comes from the public
// GraphQL API (HTTP for reads and commands, the WebSocket for live streams).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { readToken, saveToken } from "./graphql.ts";
import { startHistory } from "./history.ts";
import { useConnectionState } from "./hooks.ts";
import { reconnect } from "./live.ts";
import { EventsPage } from "./pages/events.tsx";
import { ExecutionsPage } from "./pages/executions.tsx";
import { HealthPage } from "./pages/health.tsx";
import { OverviewPage } from "./pages/overview.tsx";
import { ProjectionsPage } from "./pages/projections.tsx";
import { PubSubPage } from "./pages/pubsub.tsx";
import { SagasPage } from "./pages/sagas.tsx";
import { ShopPage } from "./pages/shop.tsx";
import "./styles.css";

const PAGES = [
  { path: "overview", title: "Overview", Page: OverviewPage },
  { path: "events", title: "Events", Page: EventsPage },
  { path: "executions", title: "Commands & queries", Page: ExecutionsPage },
  { path: "sagas", title: "Sagas", Page: SagasPage },
  { path: "pubsub", title: "Pub/sub", Page: PubSubPage },
  { path: "projections", title: "Projections", Page: ProjectionsPage },
  { path: "health", title: "Health & database", Page: HealthPage },
  { path: "shop", title: "Shop", Page: ShopPage },
] as const;

function currentRoute(): { path: string; param?: string } {
  const [path = "overview", param] = window.location.hash.replace(/^#\/?/, "").split("/");
  return { path: path || "overview", param: param ? decodeURIComponent(param) : undefined };
}

function App() {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const page = PAGES.find((p) => p.path === route.path) ?? PAGES[0];
  useEffect(() => {
    document.title = `${page.title} · edge-cqrs dashboard`;
    document.getElementById("main")?.focus();
  }, [page]);

  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">edge-cqrs</span>
        <ConnectionBadge />
        <TokenField />
      </header>
      <nav aria-label="Pages">
        <ul>
          {PAGES.map((p) => (
            <li>
              <a href={`#/${p.path}`} aria-current={p === page ? "page" : undefined}>
                {p.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <h1>{page.title}</h1>
        <page.Page param={route.param} />
      </main>
    </>
  );
}

function ConnectionBadge() {
  const state = useConnectionState();
  const text = { live: "Live", connecting: "Connecting…", offline: "Offline, reconnecting…" }[state];
  return (
    <span class={`connection ${state}`} role="status" aria-live="polite" data-state={state}>
      {text}
    </span>
  );
}

function TokenField() {
  const [token, setToken] = useState(readToken());
  return (
    <form
      class="token"
      onSubmit={(e) => {
        e.preventDefault();
        saveToken(token);
        reconnect();
      }}
    >
      <label for="token">Token</label>
      <input id="token" type="password" autocomplete="off" placeholder="API or admin token" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
      <button type="submit">Use</button>
    </form>
  );
}

void startHistory();
render(<App />, document.getElementById("app")!);
