#!/usr/bin/env bash
# Serve border_map as in production: gunicorn on loopback behind a buffering nginx.
#   scripts/run_production.sh [PORT]     (nginx listens on 127.0.0.1:PORT, default 8080)
# Environment: APP_PORT (gunicorn's loopback port, default PORT+1), NGINX_PREFIX (run folder,
# default var/nginx), WORKERS (gunicorn workers, default 2), and the app's own variables
# (BORDER_MAP_PRODUCTION=1 and SECRET_KEY for a real deployment).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-8080}
app_port=${APP_PORT:-$((port + 1))}
prefix=$(realpath -m "${NGINX_PREFIX:-var/nginx}")
venv=.venv

command -v nginx >/dev/null || { echo "run_production: nginx is missing (apt-get install nginx)" >&2; exit 1; }
mkdir -p "$prefix"
chmod 755 "$prefix"
"$venv/bin/python" manage.py collectstatic --no-input -v 0
static_root=$("$venv/bin/python" -c 'from django.conf import settings; import django; django.setup(); print(settings.STATIC_ROOT)' 2>/dev/null || realpath var/staticfiles)
sed -e "s|@PREFIX@|$prefix|g" -e "s|@LISTEN@|127.0.0.1:$port|g" \
    -e "s|@UPSTREAM@|127.0.0.1:$app_port|g" -e "s|@STATIC_ROOT@|$static_root|g" \
    -e "s|@DAEMON@|on|g" deploy/nginx.conf > "$prefix/nginx.conf"
nginx -t -q -p "$prefix" -c "$prefix/nginx.conf"

"$venv/bin/gunicorn" border_map.wsgi --bind "127.0.0.1:$app_port" --workers "${WORKERS:-2}" \
  --threads 4 --timeout 60 --graceful-timeout 10 --access-logfile - &
app=$!
nginx -p "$prefix" -c "$prefix/nginx.conf"
trap 'nginx -p "$prefix" -c "$prefix/nginx.conf" -s quit 2>/dev/null || true; kill $app 2>/dev/null || true' EXIT INT TERM
echo "border_map (production) on http://127.0.0.1:$port/ (nginx -> gunicorn on 127.0.0.1:$app_port)"
wait $app
