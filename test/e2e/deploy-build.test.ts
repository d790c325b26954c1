// `wrangler deploy` must be able to build the Worker with its Durable Objects.
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

it("wrangler deploy --dry-run builds the Worker with its Durable Object bindings and the dashboard's assets", async () => {
  const outdir = await mkdtemp(join(tmpdir(), "edge-cqrs-dist-"));
  try {
    const { stdout } = await promisify(execFile)("node_modules/.bin/wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    });
    expect(stdout).toMatch(/env\.AGGREGATE \(AggregateDO\)\s+Durable Object/);
    expect(stdout).toMatch(/env\.PROJECTOR \(ProjectorDO\)\s+Durable Object/);
    expect((await stat(join(outdir, "index.js"))).size).toBeGreaterThan(100_000);
    // public/ as `npm run build` (run by the test setup and `npm run deploy`) leaves it.
    expect(stdout).toMatch(/Read \d+ files from the assets directory \S+\/public/);
    expect(stdout).toMatch(/env\.ASSETS\s+Assets/);
    for (const file of ["index.html", "graphiql/yoga-graphiql.umd.js", "graphiql/graphiql.css", "graphiql/monacoeditorwork/editor.worker.bundle.js"]) {
      expect((await stat(join("public", file))).size, file).toBeGreaterThan(0);
    }
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
});
