# Throwaway PostgreSQL, MariaDB and Redis servers for tests and CI: temp data dirs, free loopback
# ports, no systemd, root allowed. Source it from bash, call pg_up / mariadb_up / redis_up;
# services_down stops them. (The probe tests start their own servers, see test/helpers/, so that
# they can kill and restart them; these are for everything else.)
# Don't write `source ci/services.sh && …`: inside an && list bash ignores `set -e` for the file.

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

pg_up() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "installing postgresql (Debian package)"
    apt_install postgresql || return 1
  fi
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PG_TMP=$(mktemp -d /tmp/vigil-pg.XXXXXX); PGPORT=$(free_port)
  PG_AS=()
  # initdb and postgres refuse to run as root.
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_TMP"; PG_AS=(runuser -u postgres --); fi
  "${PG_AS[@]}" "$PGBIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --no-sync >"$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log"; return 1; }
  "${PG_AS[@]}" "$PGBIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 30 \
    -o "-p $PGPORT -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$PG_TMP/server.log"; return 1; }
  export PGPORT PG_TMP PGBIN
  export VIGIL_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
  echo "postgres up: $VIGIL_TEST_POSTGRES_URL"
}
pg_down() {
  [ -n "${PG_TMP:-}" ] || return 0
  "${PG_AS[@]}" "$PGBIN/pg_ctl" -D "$PG_TMP/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$PG_TMP"; PG_TMP=
}

mariadb_up() {
  if [ ! -x /usr/sbin/mariadbd ]; then
    echo "installing mariadb-server (Debian package)"
    apt_install mariadb-server || return 1
  fi
  MARIADB_TMP=$(mktemp -d /tmp/vigil-mariadb.XXXXXX); MARIADB_PORT=$(free_port)
  local user=(); if [ "$(id -u)" = 0 ]; then chown mysql:mysql "$MARIADB_TMP"; user=(--user=mysql); fi
  mariadb-install-db --no-defaults "${user[@]}" --datadir="$MARIADB_TMP/data" --auth-root-authentication-method=normal \
    --skip-test-db >"$MARIADB_TMP/install.log" 2>&1 || { cat "$MARIADB_TMP/install.log"; return 1; }
  # The whole command line is exported too, so that a test can kill the server and start it again
  # on the same data dir and port (paths come from mktemp: no spaces).
  local cmd=(/usr/sbin/mariadbd --no-defaults "${user[@]}" --datadir="$MARIADB_TMP/data" --socket="$MARIADB_TMP/mysqld.sock"
    --pid-file="$MARIADB_TMP/mysqld.pid" --port="$MARIADB_PORT" --bind-address=127.0.0.1 --skip-name-resolve
    --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=2 --max-connections=100
    --log-error="$MARIADB_TMP/error.log")
  "${cmd[@]}" >/dev/null 2>&1 &
  MARIADB_PID=$!
  local i up=; for i in $(seq 150); do
    mariadb-admin --no-defaults --socket="$MARIADB_TMP/mysqld.sock" -uroot ping >/dev/null 2>&1 && { up=1; break; }
    kill -0 "$MARIADB_PID" 2>/dev/null || { cat "$MARIADB_TMP/error.log"; return 1; }
    sleep 0.2
  done
  [ -n "$up" ] || { echo "mariadb did not answer within 30 s"; cat "$MARIADB_TMP/error.log"; return 1; }
  # A monitoring user with what a probe needs, root with a password over TCP, and a database.
  mariadb --no-defaults --socket="$MARIADB_TMP/mysqld.sock" -uroot -e "
    CREATE USER 'monitor'@'%' IDENTIFIED BY 'monitor';
    GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'monitor'@'%';
    CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY 'root';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
    CREATE DATABASE app;" || return 1
  VIGIL_TEST_MARIADB_CMD="${cmd[*]}"
  export MARIADB_PORT MARIADB_TMP MARIADB_PID VIGIL_TEST_MARIADB_CMD
  export VIGIL_TEST_MYSQL_URL="mysql://monitor:monitor@127.0.0.1:$MARIADB_PORT/"
  export VIGIL_TEST_MYSQL_ROOT_URL="mysql://root:root@127.0.0.1:$MARIADB_PORT/"
  echo "mariadb up: $VIGIL_TEST_MYSQL_URL (pid $MARIADB_PID)"
}
mariadb_down() {
  [ -n "${MARIADB_PID:-}" ] || return 0
  kill "$MARIADB_PID" 2>/dev/null && wait "$MARIADB_PID" 2>/dev/null
  rm -rf "$MARIADB_TMP"; MARIADB_PID=
}

redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
  else
    node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1",()=>s.write("PING\r\n"));s.on("data",(d)=>process.exit(/^\+PONG/.test(d)?0:1));s.on("error",()=>process.exit(1));setTimeout(()=>process.exit(1),1000)' "$1"
  fi
}

redis_up() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "installing redis-server (Debian package)"
    apt_install redis-server || return 1
  fi
  REDIS_TMP=$(mktemp -d /tmp/vigil-redis.XXXXXX); REDIS_PORT=$(free_port)
  # No persistence: a throwaway cache. --daemonize no keeps $! the server's pid.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --dir "$REDIS_TMP" \
    >"$REDIS_TMP/server.log" 2>&1 &
  REDIS_PID=$!
  local i up=; for i in $(seq 100); do
    redis_ping "$REDIS_PORT" && { up=1; break; }
    kill -0 "$REDIS_PID" 2>/dev/null || { cat "$REDIS_TMP/server.log"; return 1; }
    sleep 0.1
  done
  [ -n "$up" ] || { echo "redis did not answer within 10 s"; cat "$REDIS_TMP/server.log"; return 1; }
  export REDIS_PORT REDIS_PID REDIS_TMP
  export VIGIL_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  echo "redis up: $VIGIL_TEST_REDIS_URL (pid $REDIS_PID)"
}
redis_down() {
  [ -n "${REDIS_PID:-}" ] || return 0
  kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
  rm -rf "$REDIS_TMP"; REDIS_PID=
}

services_down() { redis_down; mariadb_down; pg_down; true; }
