-- The same row into event_store.events (its indexes and defaults), no append logic.
INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, event_version) VALUES (gen_random_uuid(), 'bench', 'BenchItemAdded', :data, 1);
