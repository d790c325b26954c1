import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { RequestConnection } from "../db/worker-connection.ts";
import { checkAdmin } from "../graphql/access.ts";
import { graphqlServer } from "../graphql/server.ts";
import { checkHealth } from "./health.ts";
import { correlate } from "./correlation.ts";
import { renderMetrics } from "../telemetry/metrics.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../telemetry/prometheus.ts";
import { isJsonPost, unsupportedMediaType } from "./cross-origin.ts";
import { rateLimit } from "./rate-limit.ts";
import { isQueryRequest, pickReader, readerCount } from "./reader-routing.ts";
import { subscriptionSocket } from "./subscription-socket.ts";

export type AppEnv = { Bindings: Env };

const MAX_BODY_BYTES = 100 * 1024;
const TOO_LARGE = { errors: [{ message: `The request body is over ${MAX_BODY_BYTES} bytes`, extensions: { code: "BAD_REQUEST" } }] };

export function createApp() {
  const app = new Hono<AppEnv>();

  app.get("/health", async (c) => {
    const db = new RequestConnection(c.env);
    const health = await checkHealth(() => db.get());
    c.executionCtx.waitUntil(db.close());
    return c.json(health, health.status === "ok" ? 200 : 503);
  });

  app.get("/metrics", async (c) => {
    const refused = await checkAdmin(c.req.raw, c.env);
    if (refused) return c.json({ errors: [refused.toJSON()] }, refused.extensions.code === "UNAUTHENTICATED" ? 401 : 403);
    const db = new RequestConnection(c.env);
    try {
      return c.body(await renderMetrics(c.env, await db.get()), 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
    } finally {
      c.executionCtx.waitUntil(db.close());
    }
  });

  // Before anything else a request costs, socket upgrades included.
  app.use("/graphql", rateLimit);
  app.use("/socket", rateLimit);

  // WebSocket upgrades (graphql-transport-ws) go to a broadcaster shard; /socket is the seed's clients' path.
  app.get("/graphql", subscriptionSocket);
  app.get("/socket", subscriptionSocket);

  app.use("/graphql", correlate);

  // Refused before yoga reads it, so a huge body costs no parsing.
  app.post("/graphql", bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json(TOO_LARGE, 413) }));

  app.on(["GET", "POST", "OPTIONS"], "/graphql", async (c) => {
    if (!isJsonPost(c.req.raw)) return unsupportedMediaType();
    // A Worker request cannot keep a connection warm; a ReaderDO can (DESIGN.md, "Durable Objects").
    const readers = readerCount(c.env);
    if (readers > 0 && (await isQueryRequest(c.req.raw))) return pickReader(c.env, readers).fetch(c.req.raw);
    const db = new RequestConnection(c.env);
    try {
      return await graphqlServer().fetch(c.req.raw, { env: c.env, executionContext: c.executionCtx, db });
    } finally {
      c.executionCtx.waitUntil(db.close());
    }
  });

  return app;
}
