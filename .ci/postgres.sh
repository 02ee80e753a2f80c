#!/usr/bin/env bash
# A throwaway PostgreSQL for the hub tests: a private cluster in a temp folder, reachable only
# through a unix socket in that folder (no TCP port, so parallel runs never collide), owned by
# an unprivileged user (initdb refuses root), removed afterwards.
#
#   bash .ci/postgres.sh make test          # start, run the command with LINKWORKER_TEST_PG_URL, stop
#   source .ci/postgres.sh; pg_start; ...; pg_stop   # what .ci/run does
#
# Installs Debian's postgresql package first when it is missing and we are root.

pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

pg_install() {
  pg_bindir >/dev/null && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  pg_bindir >/dev/null || { echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2; return 1; }
}

pg_as() {  # run a command as the cluster's owner
  if [ "$(id -u)" = "0" ]; then runuser -u "$PG_OWNER" -- "$@"; else "$@"; fi
}

pg_start() {
  pg_install || return 1
  local bin; bin="$(pg_bindir)"
  PG_OWNER="$(id -un)"
  if [ "$(id -u)" = "0" ]; then
    PG_OWNER=postgres
    id postgres >/dev/null 2>&1 || PG_OWNER=nobody
  fi
  PG_TMP="$(mktemp -d /tmp/linkworker-pg.XXXXXX)"
  chmod 755 "$PG_TMP"
  [ "$(id -u)" = "0" ] && chown "$PG_OWNER" "$PG_TMP"
  pg_as "$bin/initdb" -D "$PG_TMP/data" -U linkworker -A trust -E UTF8 --locale=C.UTF-8 >"$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log" >&2; return 1; }
  pg_as "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $PG_TMP -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$PG_TMP/server.log" >&2; return 1; }
  export PG_TMP PG_OWNER
  export LINKWORKER_TEST_PG_URL="postgresql+psycopg://linkworker@/postgres?host=$PG_TMP"
  echo "postgres.sh: PostgreSQL running for the tests at $LINKWORKER_TEST_PG_URL" >&2
}

pg_stop() {
  [ -n "${PG_TMP:-}" ] || return 0
  pg_as "$(pg_bindir)/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_TMP"
  unset PG_TMP LINKWORKER_TEST_PG_URL
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  pg_start
  trap pg_stop EXIT
  trap "exit 143" TERM INT
  if [ "$#" -gt 0 ]; then "$@"; else echo "export LINKWORKER_TEST_PG_URL='$LINKWORKER_TEST_PG_URL'"; read -r -p "Press Enter to stop PostgreSQL. "; fi
fi
