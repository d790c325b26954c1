import { Hono } from "hono";
import { RequestConnection } from "../db/worker-connection.ts";
import { graphqlServer } from "../graphql/server.ts";
import { checkHealth } from "./health.ts";

export type AppEnv = { Bindings: Env };

export function createApp() {
  const app = new Hono<AppEnv>();

  app.get("/", (c) => c.redirect("/graphql"));

  app.get("/health", async (c) => {
    const db = new RequestConnection(c.env);
    const health = await checkHealth(() => db.get());
    c.executionCtx.waitUntil(db.close());
    return c.json(health, health.status === "ok" ? 200 : 503);
  });

  app.on(["GET", "POST", "OPTIONS"], "/graphql", async (c) => {
    // A Worker request cannot keep a connection warm; a ReaderDO can (DESIGN.md, "Durable Objects").
    const readers = readerCount(c.env);
    if (readers > 0) return c.env.READER.getByName(`reader-${Math.floor(Math.random() * readers)}`).fetch(c.req.raw);
    const db = new RequestConnection(c.env);
    try {
      return await graphqlServer().fetch(c.req.raw, { env: c.env, executionContext: c.executionCtx, db });
    } finally {
      c.executionCtx.waitUntil(db.close());
    }
  });

  return app;
}

/** GRAPHQL_READERS: how many ReaderDOs share the GraphQL requests (0: each request connects from the Worker). */
function readerCount(env: Env): number {
  const count = Number(env.GRAPHQL_READERS ?? 0);
  return Number.isInteger(count) && count > 0 ? Math.min(count, 64) : 0;
}
