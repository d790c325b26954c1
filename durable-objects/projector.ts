import { DurableObject } from "cloudflare:workers";
import { IdleConnection } from "../src/db/idle-connection.ts";
import { databaseSettings } from "../src/db/worker-connection.ts";
import { catchUp } from "../src/projections/consumer.ts";
import { projectionNamed } from "../src/projections/registry.ts";

/** Keep polling this long after the last activity, in case a wake-up was lost. */
const SAFETY_NET_MS = 5 * 60_000;
const ALARM_EVERY_MS = 30_000;

/** One per read model: feeds it from the global log past its checkpoint. */
export class ProjectorDO extends DurableObject<Env> {
  #connection = new IdleConnection(() => databaseSettings(this.env));
  #running: Promise<void> | undefined;
  #again = false;

  /** Called after each commit (not awaited by clients). Resolves once caught up. */
  async wake(name: string): Promise<void> {
    if ((await this.ctx.storage.get<string>("name")) !== name) await this.ctx.storage.put("name", name);
    await this.ctx.storage.put("lastWake", Date.now());
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + ALARM_EVERY_MS);
    this.#again = true;
    this.#running ??= this.#loop(name).finally(() => (this.#running = undefined));
    return this.#running;
  }

  override async alarm(): Promise<void> {
    const name = await this.ctx.storage.get<string>("name");
    if (!name) return;
    this.#again = true;
    this.#running ??= this.#loop(name).finally(() => (this.#running = undefined));
    await this.#running;
    const lastWake = (await this.ctx.storage.get<number>("lastWake")) ?? 0;
    if (Date.now() - lastWake < SAFETY_NET_MS) await this.ctx.storage.setAlarm(Date.now() + ALARM_EVERY_MS);
  }

  async #loop(name: string): Promise<void> {
    const projection = projectionNamed(name);
    if (!projection) throw new Error(`unknown projection ${name}`);
    try {
      while (this.#again) {
        this.#again = false;
        await catchUp(await this.#connection.get(), projection);
      }
    } catch (error) {
      await this.#connection.close();
      throw error;
    }
  }
}
