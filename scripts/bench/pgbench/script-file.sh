# Sourced by run.sh and wal.sh: writes the pgbench script that $1 names to a
# temporary file, $script_file (removed on exit). <script> is a .sql file of
# this folder (without .sql), or fn=<function> (append.sql calling another
# function), or table=<table> (events.sql into another table).
here=$(dirname "${BASH_SOURCE[0]}")
script=$1
script_file=$(mktemp --suffix=.sql)
trap 'rm -f "$script_file"' EXIT
case "$script" in
  fn=*) sed "s/event_store.append_to_stream(/event_store.${script#fn=}(/" "$here/append.sql" > "$script_file" ;;
  table=*) sed "s/event_store.events/event_store.${script#table=}/" "$here/events.sql" > "$script_file" ;;
  *) cp "$here/$script.sql" "$script_file" ;;
esac
