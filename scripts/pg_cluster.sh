#!/usr/bin/env bash
# A throw-away local PostgreSQL + PostGIS cluster for development and CI (never for real data).
#
#   scripts/pg_cluster.sh start [DIR]   initdb (first time) and start on a free port; print the store URL
#   scripts/pg_cluster.sh stop [DIR]    stop it (the files stay in DIR; rm -rf DIR removes them)
#   scripts/pg_cluster.sh url [DIR]     print the URL of the running cluster
#
# DIR defaults to $CONFLICTMAP_PG_DIR or /tmp/conflictmap-pg. PostgreSQL refuses to run as root: as root the
# cluster runs as the unprivileged user $PG_USER (default "postgres", created when missing). The superuser is
# "postgres"; local (unix socket, in DIR) connections are trusted, TCP ones (127.0.0.1) need a password.
# PG_FAST=1 turns fsync off (tests only: a crash of the machine may lose the cluster).
# Needs Debian's postgresql and postgresql-15-postgis-3 (or the versions Debian ships).
set -euo pipefail

action=${1:-start}
dir=${2:-${CONFLICTMAP_PG_DIR:-/tmp/conflictmap-pg}}
db=${PG_DB:-conflictmap}
run_user=${PG_USER:-postgres}

bindir=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "error: PostgreSQL is not installed; apt-get install postgresql postgresql-15-postgis-3" >&2
  exit 1
fi

as_user() {  # run a command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$run_user" -- "$@"
  else
    "$@"
  fi
}

url() {
  local port
  port=$(cat "$dir/port")
  echo "postgresql://postgres@localhost:$port/$db?host=$dir"
}

case "$action" in
  start)
    if [ "$(id -u)" = 0 ] && ! id -u "$run_user" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$run_user"
    fi
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown "$run_user" "$dir"; fi
    chmod 755 "$dir"
    if [ -f "$dir/data/postmaster.pid" ] && as_user "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      url
      exit 0
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_user "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    fast=""
    if [ -n "${PG_FAST:-}" ]; then fast=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "$port" >"$dir/port"
    as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c shared_buffers=128MB -c max_connections=300${fast}" start >/dev/null ||
      { tail -n 20 "$dir/server.log" >&2; exit 1; }
    psql="$bindir/psql -X -q -v ON_ERROR_STOP=1 -h $dir -p $port -U postgres"
    if [ -z "$($psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
      $psql -d postgres -c "CREATE DATABASE $db"
    fi
    $psql -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>/dev/null
    url
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    ;;
  url)
    url
    ;;
  *)
    echo "usage: $0 start|stop|url [DIR]" >&2
    exit 2
    ;;
esac
