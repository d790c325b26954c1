// Secrets are not in wrangler.toml, so `wrangler types` cannot see them.
interface __SecretsEnv {
  /** postgres:// URL of the database (Neon's in production). */
  DATABASE_URL: string;
  /** "host:port" of the local WebSocket-to-TCP proxy; unset in production. */
  DB_PROXY?: string;
}

interface Env extends __SecretsEnv {}
declare namespace Cloudflare {
  interface Env extends __SecretsEnv {}
}
