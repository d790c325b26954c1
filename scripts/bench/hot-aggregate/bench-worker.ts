// The hot-aggregate bench's Worker, run by `wrangler dev` as production runs
// the Worker (no test pool in between): the app's Durable Objects, and a
// fetch handler that runs one trial inside workerd and answers its figures.
//   GET /trial?clients=8&warmupMs=1000&durationMs=3000
import { hotAggregateTrial } from "./trial.ts";

export * from "../../../src/index.ts";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/trial") return new Response("ready");
    const setting = (name: string) => Number(url.searchParams.get(name));
    return Response.json(
      await hotAggregateTrial(env.AGGREGATE, { clients: setting("clients"), warmupMs: setting("warmupMs"), durationMs: setting("durationMs") }),
    );
  },
} satisfies ExportedHandler<Env>;
