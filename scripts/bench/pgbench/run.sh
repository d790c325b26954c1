#!/bin/bash
# Server-side price of one statement, with pgbench (a C client, so almost all
# of the CPU below is Postgres'): transactions/s and the CPU time of every
# Postgres process (backends, WAL writer, checkpointer...) per transaction,
# read from /proc of the postmaster and its children. Needs the machine that
# runs the server (an embedded one: postgres.ts) and pgbench 15 or newer.
#
#   DATABASE_URL=... scripts/bench/pgbench/run.sh append 8 3
#   PGOPTIONS='-c synchronous_commit=off' DATABASE_URL=... scripts/bench/pgbench/run.sh append 8 3
#
# <script>: raw, events, append (the library's statement), ... as
# script-file.sh lists; fn=<function> and table=<table> are the variants in
# variants.sql (load them first: psql "$DATABASE_URL" -f scripts/bench/pgbench/variants.sql).
# synchronous_commit=off takes the WAL flush out, so the figure is the CPU
# price alone (what decides throughput once many writers share each flush).
set -euo pipefail
here=$(dirname "$0")
source "$here/script-file.sh" "$1"
clients=$2 seconds=$3
url=${DATABASE_URL:?set DATABASE_URL}
data_dir=$(psql "$url" -Atc "SHOW data_directory")
postmaster=$(head -1 "$data_dir/postmaster.pid")
ticks_per_second=$(getconf CLK_TCK)
psql "$url" -qc "SET client_min_messages = warning; CREATE TABLE IF NOT EXISTS bench_raw (stream_id uuid NOT NULL, version integer NOT NULL, data jsonb NOT NULL, UNIQUE (stream_id, version))"

# CPU ticks of the postmaster, the children it reaped, and its live children.
server_ticks() {
  local fields total
  read -r -a fields < "/proc/$postmaster/stat"
  total=$(( fields[13] + fields[14] + fields[15] + fields[16] ))
  for child in $(pgrep -P "$postmaster"); do
    read -r -a fields < "/proc/$child/stat" 2>/dev/null && total=$(( total + fields[13] + fields[14] ))
  done
  echo "$total"
}

data='{"sku": "SKU-000123", "quantity": 3, "unitPrice": "19.99", "note": "benchmark event"}'
events='[{"type":"BenchItemAdded","data":{"sku":"SKU-000123","quantity":3,"unitPrice":"19.99","note":"benchmark event"}}]'
before=$(server_ticks)
output=$(pgbench -n -M prepared -c "$clients" -j $(( clients < 2 ? 1 : 2 )) -T "$seconds" -f "$script_file" \
  -D "data=$data" -D "events=$events" "$url" 2>&1)
sleep 1 # the postmaster reaps the exited backends (and adds their CPU to its children's) asynchronously
after=$(server_ticks)
transactions=$(sed -n 's/number of transactions actually processed: \([0-9]*\).*/\1/p' <<< "$output")
tps=$(sed -n 's/^tps = \([0-9]*\).*/\1/p' <<< "$output")
if [ -z "$transactions" ] || [ "$transactions" -eq 0 ]; then echo "$output" >&2; exit 1; fi
echo "$script clients=$clients tps=$tps server_cpu_us_per_tx=$(( (after - before) * 1000000 / ticks_per_second / transactions )) load=$(cut -d' ' -f1 /proc/loadavg)"
