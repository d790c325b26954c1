#!/bin/bash
# WAL records and bytes per transaction of one script of this folder, from
# pg_stat_wal and the WAL position around n transactions (one client,
# synchronous_commit off: only the records matter). Records do not depend on
# the machine's load; bytes include full-page images after the CHECKPOINT.
#
#   DATABASE_URL=... scripts/bench/pgbench/wal.sh append 3000
set -euo pipefail
here=$(dirname "$0")
source "$here/script-file.sh" "$1"
n=${2:-3000}
url=${DATABASE_URL:?set DATABASE_URL}
psql "$url" -qc "SET client_min_messages = warning; CREATE TABLE IF NOT EXISTS bench_raw (stream_id uuid NOT NULL, version integer NOT NULL, data jsonb NOT NULL, UNIQUE (stream_id, version))"
data='{"sku": "SKU-000123", "quantity": 3, "unitPrice": "19.99", "note": "benchmark event"}'
events='[{"type":"BenchItemAdded","data":{"sku":"SKU-000123","quantity":3,"unitPrice":"19.99","note":"benchmark event"}}]'
psql "$url" -qAtc "CHECKPOINT"
read -r lsn records <<< "$(psql "$url" -At -F' ' -c "SELECT pg_current_wal_insert_lsn(), wal_records FROM pg_stat_wal")"
PGOPTIONS='-c synchronous_commit=off' pgbench -n -M prepared -c 1 -t "$n" -f "$script_file" -D "data=$data" -D "events=$events" "$url" > /dev/null
sleep 1.5 # backends report their WAL counters as they exit
psql "$url" -At -c "SELECT '$script WAL per transaction: ' || round((wal_records - $records)::numeric / $n, 2) || ' records, '
  || round((pg_current_wal_insert_lsn() - '$lsn')::numeric / $n) || ' bytes' FROM pg_stat_wal"
