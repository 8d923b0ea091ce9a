#!/bin/sh
# Copy the browser libraries pinned in package.json from node_modules into
# static/vendor/<lib>/<version>/ with their licences. The copies are committed, so the site
# needs no npm and no CDN at run time. Usage: scripts/vendor_static.sh (from the repo root).
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund

version() { node -p "require('./node_modules/$1/package.json').version"; }

copy() { # copy <package> <file under the package>... into static/vendor/<package>/<version>/
    pkg=$1; shift
    dest="static/vendor/$pkg/$(version "$pkg")"
    rm -rf "static/vendor/$pkg"
    mkdir -p "$dest"
    for file in "$@"; do
        mkdir -p "$dest/$(dirname "$file")"
        cp "node_modules/$pkg/$file" "$dest/$file"
    done
    echo "vendored $pkg into $dest"
}

copy leaflet LICENSE dist/leaflet.js dist/leaflet.css \
    dist/images/layers.png dist/images/layers-2x.png \
    dist/images/marker-icon.png dist/images/marker-icon-2x.png dist/images/marker-shadow.png
copy leaflet.markercluster MIT-LICENCE.txt dist/leaflet.markercluster.js \
    dist/MarkerCluster.css dist/MarkerCluster.Default.css
