// `npm run build`: the dashboard (Preact + uPlot) and GraphiQL's prebuilt
// bundle into public/, which the Worker serves as static assets
// (wrangler.toml [assets]). Nothing served may come from a CDN, so GraphiQL's
// files are copied from the @graphql-yoga/graphiql package that yoga's own
// page would load from unpkg (src/http/graphiql.ts points the page here).
import { cpSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = dirname(fileURLToPath(import.meta.url));
const outDir = join(root, "..", "public");

function copyGraphiQL(): Plugin {
  return {
    name: "copy-graphiql",
    apply: "build",
    closeBundle() {
      const pkg = createRequire(import.meta.url).resolve("@graphql-yoga/graphiql/package.json");
      cpSync(join(dirname(pkg), "dist"), join(outDir, "graphiql"), {
        recursive: true,
        // The ES build is the UMD build again (7 MB); the page loads the UMD one.
        filter: (source) => !source.endsWith(".es.js"),
      });
    },
  };
}

export default defineConfig({
  root,
  base: "/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 300 },
  plugins: [copyGraphiQL()],
});
