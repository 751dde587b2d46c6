#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on loopback for the store tests.
#   pg.sh start   initdb (first time) + start + create database factoryai_test, then print the
#                 URL like `url`; idempotent
#   pg.sh url     print the connection URL (fails when the cluster is not running)
#   pg.sh stop    stop the cluster and delete its directory; idempotent
# Trust auth on 127.0.0.1 and the cluster's own unix socket only; fsync off (test data is disposable).
# State lives in $FAI_PG_DIR (default /tmp/factoryai-pg-<uid>), so every call finds the same cluster.
set -euo pipefail

pg_bin=${FAI_PG_BIN:-/usr/lib/postgresql/15/bin}
state_dir=${FAI_PG_DIR:-${TMPDIR:-/tmp}/factoryai-pg-$(id -u)}
data_dir=$state_dir/data
port_file=$state_dir/port
database=factoryai_test
first_port=55432

# initdb and postgres refuse to run as root: run them as the postgres user then.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port=$first_port
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

is_running() { [ -f "$data_dir/PG_VERSION" ] && as_owner "$pg_bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; }

url() { echo "postgresql://postgres@127.0.0.1:$(cat "$port_file")/$database"; }

init_cluster() {
  rm -rf "$state_dir"
  mkdir -p "$state_dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$state_dir"; fi
  as_owner "$pg_bin/initdb" -D "$data_dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$state_dir/initdb.log"
  cat >"$data_dir/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
  cat >>"$data_dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $(free_port)
unix_socket_directories = '$state_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  sed -n 's/^port = //p' "$data_dir/postgresql.conf" | tail -n1 | as_owner tee "$port_file" >/dev/null
}

start() {
  if is_running; then url; return; fi
  [ -f "$data_dir/PG_VERSION" ] || init_cluster
  as_owner "$pg_bin/pg_ctl" -D "$data_dir" -l "$state_dir/server.log" -w -t 60 start >/dev/null
  local psql=(psql -h 127.0.0.1 -p "$(cat "$port_file")" -U postgres -d postgres -qAt)
  if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
    "${psql[@]}" -c "CREATE DATABASE $database"
  fi
  url
}

stop() {
  if is_running; then as_owner "$pg_bin/pg_ctl" -D "$data_dir" -m fast -w stop >/dev/null; fi
  rm -rf "$state_dir"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  url)
    is_running || { echo "pg.sh: cluster not running (run: $0 start)" >&2; exit 1; }
    url
    ;;
  *)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
