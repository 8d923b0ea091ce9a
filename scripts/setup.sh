#!/usr/bin/env bash
# Set up border_map on Debian/Ubuntu: system packages, a virtualenv from a Python whose sqlite3
# can load SpatiaLite, the pinned requirements. Re-running is fast and changes nothing that is
# already right.
#
#   scripts/setup.sh            what `make setup`, `make run` and `make lint` need
#   scripts/setup.sh test       also Chromium, for the browser tests
#   scripts/setup.sh postgis    also the PostGIS extension of the local PostgreSQL server
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
say() { printf 'setup: %s\n' "$*"; }

# --- System packages -------------------------------------------------------------------------
# libgeos-dev, gcc and python3-dev build shapely against the system GEOS (see requirements.txt);
# gettext's msgfmt compiles the Russian catalogues (locale/) below.
packages=(gdal-bin libsqlite3-mod-spatialite python3-venv python3-dev gcc libgeos-dev gettext)
# Node runs the JS linter and unit tests (package.json); any node/npm on PATH will do.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
for extra in "$@"; do
  case "$extra" in
    # nginx: the production proxy (deploy/nginx.conf), which the tests start on loopback.
    # LibreOffice and poppler: the tests open the CSV in a spreadsheet and read the printed PDF.
    test) packages+=(chromium nginx libreoffice-calc-nogui poppler-utils) ;;
    production) packages+=(nginx) ;;
    postgis)
      pg_version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
      [ -n "$pg_version" ] || { say "no PostgreSQL server found (/etc/postgresql is empty)"; exit 1; }
      packages+=("postgresql-${pg_version}-postgis-3") ;;
    *) say "unknown option: $extra (expected: test, postgis, production)"; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  install=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
  else
    say "missing Debian packages: ${missing[*]}"
    say "install them with:  sudo apt-get update && sudo ${install[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null
fi

# --- A Python that can load SQLite extensions ------------------------------------------------
# Django 5.2 wants Python 3.10–3.13. pyenv and python.org builds often lack
# sqlite3.enable_load_extension; Debian's own /usr/bin/python3 has it.
can_load_spatialite() {
  "$1" - <<'PY' >/dev/null 2>&1
import ensurepip, sqlite3, sys, venv  # noqa: F401  (Debian ships ensurepip in python3-venv)
assert (3, 10) <= sys.version_info[:2] <= (3, 13)
connection = sqlite3.connect(":memory:")
connection.enable_load_extension(True)
connection.load_extension("mod_spatialite")
PY
}

if [ -x "$VENV/bin/python" ] && ! can_load_spatialite "$VENV/bin/python"; then
  say "$VENV was made from a Python whose sqlite3 cannot load SpatiaLite: making it again"
  rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
  python=""
  for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3.10 python3 /usr/bin/python3; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if can_load_spatialite "$path"; then python=$path; break; fi
  done
  if [ -z "$python" ]; then
    say "no Python 3.10-3.13 here can load SQLite extensions (sqlite3.enable_load_extension)."
    say "On Debian/Ubuntu install the system one:  sudo apt-get install python3 python3-venv"
    say "or point PYTHON at one that can:  make setup PYTHON=/path/to/python3"
    exit 1
  fi
  say "making $VENV with $python ($("$python" --version 2>&1))"
  rm -f "$VENV/.requirements.sha256"
  "$python" -m venv "$VENV" || { rm -rf "$VENV"; say "could not make $VENV with $python"; exit 1; }
fi

# --- Python requirements, reinstalled only when requirements.txt changes ----------------------
stamp="$VENV/.requirements.sha256"
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  say "installing requirements.txt"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt
  echo "$wanted" > "$stamp"
fi

# --- Node devDependencies (Biome), reinstalled only when package-lock.json changes -------------
# The page needs no npm at run time: these lint and test the browser code (make lint, make test).
stamp=node_modules/.package-lock.sha256
wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ] || [ ! -x node_modules/.bin/biome ]; then
  say "installing package-lock.json (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$wanted" > "$stamp"
fi

# --- Translations: locale/*/LC_MESSAGES/*.po compiled to .mo (not committed: a binary copy of
# the .po that could drift from it), again only when a .po is newer than its .mo -------------
for po in locale/*/LC_MESSAGES/*.po; do
  [ -e "$po" ] || continue
  mo="${po%.po}.mo"
  if [ ! -e "$mo" ] || [ "$po" -nt "$mo" ]; then
    say "compiling $po"
    msgfmt --check -o "$mo" "$po"
  fi
done
