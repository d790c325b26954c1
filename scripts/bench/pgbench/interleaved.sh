#!/bin/bash
# Several scripts in ONE pgbench run: each transaction picks one of them at
# random, so all see the same minutes of a shared machine, and pgbench reports
# each script's mean latency (round trip included). On a loaded machine this
# compares statements where separate runs cannot.
#
#   PGOPTIONS='-c synchronous_commit=off' DATABASE_URL=... scripts/bench/pgbench/interleaved.sh 1 15 raw events append fn=append_0011
#
# <script> as in script-file.sh. Prints one line: each script's mean latency in ms.
set -euo pipefail
here=$(dirname "$0")
clients=$1 seconds=$2
shift 2
url=${DATABASE_URL:?set DATABASE_URL}
psql "$url" -qc "SET client_min_messages = warning; CREATE TABLE IF NOT EXISTS bench_raw (stream_id uuid NOT NULL, version integer NOT NULL, data jsonb NOT NULL, UNIQUE (stream_id, version))"
source "$here/script-file.sh"
files=() args=()
trap 'rm -f "${files[@]}"' EXIT
for name in "$@"; do
  file=$(mktemp --suffix=.sql)
  files+=("$file") args+=(-f "$file")
  write_script "$name" "$file"
done
data='{"sku": "SKU-000123", "quantity": 3, "unitPrice": "19.99", "note": "benchmark event"}'
events='[{"type":"BenchItemAdded","data":{"sku":"SKU-000123","quantity":3,"unitPrice":"19.99","note":"benchmark event"}}]'
output=$(pgbench -n -M prepared -c "$clients" -j $(( clients < 2 ? 1 : 2 )) -T "$seconds" "${args[@]}" -D "data=$data" -D "events=$events" "$url" 2>&1)
if grep -q "error:" <<< "$output"; then echo "$output" >&2; exit 1; fi
latencies=$(grep -A4 "^SQL script" <<< "$output" | sed -n "s/.*latency average = \([0-9.]*\) ms.*/\1/p" | paste -sd" ")
echo "clients=$clients $* ms: $latencies load=$(cut -d' ' -f1 /proc/loadavg)"
