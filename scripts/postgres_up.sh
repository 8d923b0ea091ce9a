#!/usr/bin/env bash
# Start the local PostgreSQL cluster if it is not answering (Debian's pg_ctlcluster, as root).
set -euo pipefail
host=${PG_HOST:-127.0.0.1}
port=${PG_PORT:-5432}
pg_isready -q -h "$host" -p "$port" && exit 0
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$version" ] && [ "$(id -u)" = 0 ]; then
  echo "postgres_up: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 30); do pg_isready -q -h "$host" -p "$port" && exit 0; sleep 1; done
fi
echo "postgres_up: no PostgreSQL server answers on $host:$port; start it, e.g." \
  "sudo pg_ctlcluster --skip-systemctl-redirect ${version:-15} main start" >&2
exit 1
