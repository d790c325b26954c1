// `wrangler deploy` must be able to build the Worker with its Durable Objects.
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

it("wrangler deploy --dry-run builds the Worker with its Durable Object bindings", async () => {
  const outdir = await mkdtemp(join(tmpdir(), "edge-cqrs-dist-"));
  try {
    const { stdout } = await promisify(execFile)("node_modules/.bin/wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    });
    expect(stdout).toMatch(/env\.AGGREGATE \(AggregateDO\)\s+Durable Object/);
    expect(stdout).toMatch(/env\.PROJECTOR \(ProjectorDO\)\s+Durable Object/);
    expect((await stat(join(outdir, "index.js"))).size).toBeGreaterThan(100_000);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
});
