-- The log's position (transaction_id, global_sequence) becomes the primary key
-- of events, in place of global_sequence alone plus a separate index on the
-- pair: one index fewer, paid on every appended event (a btree insert on a
-- right-most page and a WAL record: 6 -> 5 records per one-event append).
-- Measured in docs/BENCHMARKS.md ("The library append: migration 0011").
-- Every reader that walked events_transaction_position_idx walks this index
-- (same columns, same order); the one reader that ordered by global_sequence
-- alone (readRecentEvents) now takes the log's newest positions.
-- global_sequence stays unique by construction (one sequence, written only by
-- append_to_stream); the pair, which is what positions and checkpoints hold,
-- is now enforced unique.
ALTER TABLE event_store.events DROP CONSTRAINT events_pkey;
--> statement-breakpoint
DROP INDEX event_store.events_transaction_position_idx;
--> statement-breakpoint
ALTER TABLE event_store.events ADD CONSTRAINT events_log_position_pkey PRIMARY KEY (transaction_id, global_sequence);
