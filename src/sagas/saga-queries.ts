// Reads of the event_store.sagas table, next to the runner that writes it
// (saga-runner.ts): resolvers map arguments and shapes, the SQL lives here.
import type { Queryable } from "../event-store/index.ts";
import { ACTIVE_STATUSES, type ActiveOrderSaga, type SagaStatus } from "./order-saga-types.ts";

export interface SagaRow {
  saga_id: string;
  saga_type: string;
  status: SagaStatus;
  current_step: string | null;
  state: ActiveOrderSaga;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface SagaListFilter {
  status?: SagaStatus;
  sagaType?: string;
  limit: number;
  offset: number;
}

const COLUMNS = "saga_id::text AS saga_id, saga_type, status, current_step, state, version, created_at, updated_at";

export async function sagaById(db: Queryable, id: string): Promise<SagaRow | undefined> {
  const { rows } = await db.query<SagaRow>(`SELECT ${COLUMNS} FROM event_store.sagas WHERE saga_id = $1`, [id]);
  return rows[0];
}

/** Newest first. */
export async function listSagas(db: Queryable, filter: SagaListFilter): Promise<SagaRow[]> {
  const { rows } = await db.query<SagaRow>(
    `SELECT ${COLUMNS} FROM event_store.sagas
     WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR saga_type = $2)
     ORDER BY sagas.created_at DESC, sagas.saga_id LIMIT $3 OFFSET $4`,
    [filter.status ?? null, filter.sagaType ?? null, filter.limit, filter.offset],
  );
  return rows;
}

export interface SagaBacklog {
  active: number;
  /** Active sagas untouched for longer than `stalledAfter`. */
  stalled: number;
  oldestActiveAgeMs: number | null;
}

/** Active sagas only (the status index), not the whole table. `stalledAfter` is a Postgres interval ("5 minutes"). */
export async function sagaBacklog(db: Queryable, stalledAfter: string): Promise<SagaBacklog> {
  const { rows } = await db.query<{ active: number; stalled: number; oldest_ms: string | null }>(
    `SELECT count(*)::int AS active, count(*) FILTER (WHERE updated_at < now() - $2::interval)::int AS stalled,
            (extract(epoch FROM now() - min(updated_at)) * 1000)::bigint::text AS oldest_ms
     FROM event_store.sagas WHERE status = ANY($1::text[])`,
    [ACTIVE_STATUSES, stalledAfter],
  );
  const row = rows[0]!;
  return { active: row.active, stalled: row.stalled, oldestActiveAgeMs: row.oldest_ms === null ? null : Number(row.oldest_ms) };
}
