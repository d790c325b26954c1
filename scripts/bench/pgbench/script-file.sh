# Sourced by run.sh, wal.sh and interleaved.sh: write_script <script> <file>
# writes the pgbench script that <script> names; given <script> as its
# argument, it writes it to a temporary file, $script_file (removed on exit). <script> is a .sql file of
# this folder (without .sql); or append / append-keys, the library's append
# statement as the client sends it (print-append.ts); or fn=<function>
# (function-call.sql calling a function of variants.sql, such as append_0011,
# the PL/pgSQL append that migration 0012 replaced); or table=<table>
# (events.sql into another table).
here=$(dirname "${BASH_SOURCE[0]}")
write_script() {
  case "$1" in
    append) npx tsx "$here/print-append.ts" > "$2" ;;
    append-keys) npx tsx "$here/print-append.ts" keys > "$2" ;;
    fn=*) sed "s/event_store.append_to_stream(/event_store.${1#fn=}(/" "$here/function-call.sql" > "$2" ;;
    table=*) sed "s/event_store.events/event_store.${1#table=}/" "$here/events.sql" > "$2" ;;
    *) cp "$here/$1.sql" "$2" ;;
  esac
}
if [ $# -gt 0 ]; then
  script=$1
  script_file=$(mktemp --suffix=.sql)
  trap 'rm -f "$script_file"' EXIT
  write_script "$script" "$script_file"
fi
