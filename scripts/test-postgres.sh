#!/usr/bin/env bash
# Runs the pytest suite against a throwaway PostgreSQL cluster (`make test-postgres`).
#   scripts/test-postgres.sh [pytest arguments...]
#
# Creates a cluster in a temporary directory (as the `postgres` user when we are root: the
# server refuses to run as root), on a free port of 127.0.0.1 only with its unix socket inside
# that directory, checks that durability settings are the defaults (fsync, synchronous_commit,
# full_page_writes all on), creates a role with a password and a database, runs pytest with
# DATABASE_URL pointing at it, and always stops the cluster and removes the directory.
# Exits with pytest's status.
#
# 在临时 PostgreSQL 集群上运行测试：仅监听 127.0.0.1 的空闲端口，结束时总是停止集群并删除临时目录。
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
python=${PYTHON:-$repo/.venv/bin/python}

find_pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
    fi
}

pgbin=$(find_pg_bin)
if [ -z "$pgbin" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "找不到 PostgreSQL（initdb）；请安装 postgresql / PostgreSQL (initdb) not found: apt-get install postgresql" >&2
        exit 1
    fi
    echo "==> 安装 PostgreSQL / installing Debian's postgresql (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 -q update
    apt-get -o DPkg::Lock::Timeout=600 -q install -y postgresql
    pgbin=$(find_pg_bin)
    [ -n "$pgbin" ] || { echo "PostgreSQL installed but initdb not found" >&2; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/open12348-pg.XXXXXX")
chmod 700 "$tmp"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$tmp"
    as_pg() { (cd "$tmp" && runuser -u postgres -- "$@"); }
else
    as_pg() { (cd "$tmp" && "$@"); }
fi

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -f "$tmp/data/postmaster.pid" ]; then
        if ! as_pg "$pgbin/pg_ctl" -D "$tmp/data" -m fast -w -t 60 stop >/dev/null 2>&1; then
            pid=$(head -n 1 "$tmp/data/postmaster.pid" 2>/dev/null || true)
            [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
password=$("$python" -c 'import secrets; print(secrets.token_hex(16))')
role=open12348
database=open12348

as_pg mkdir -m 700 "$tmp/sock"
if ! as_pg "$pgbin/initdb" -D "$tmp/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1; then
    cat "$tmp/initdb.log" >&2
    exit 1
fi
if ! as_pg "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$tmp/sock" start >/dev/null; then
    cat "$tmp/server.log" >&2
    exit 1
fi

psql() { as_pg "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$tmp/sock" -p "$port" -U postgres -d postgres "$@"; }

# R05: an acknowledged commit must survive a crash; the defaults are the durable ones.
durability=$(psql -At -c "SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit') || ' ' || current_setting('full_page_writes')")
if [ "$durability" != "on on on" ]; then
    echo "PostgreSQL durability settings are not the defaults (fsync synchronous_commit full_page_writes = $durability)" >&2
    exit 1
fi
psql -c "CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'"
psql -c "CREATE DATABASE $database OWNER $role"
version=$(psql -At -c "SHOW server_version")
echo "==> PostgreSQL $version on 127.0.0.1:$port (fsync, synchronous_commit, full_page_writes: on)"

export DATABASE_URL="postgres://$role:$password@127.0.0.1:$port/$database"
status=0
"$python" -m pytest "$@" || status=$?
exit "$status"
