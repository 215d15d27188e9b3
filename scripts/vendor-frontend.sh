#!/usr/bin/env bash
# Vendor the web UI's front-end libraries from npm into src/autoir/ui/static/vendor/.
#
# Versions are pinned in frontend/package.json and frontend/package-lock.json. Nothing is built:
# the distributed files are copied as published (licence headers intact) and committed, so that
# running AutoIR never needs Node.js or a CDN.
#
# Usage: scripts/vendor-frontend.sh            (needs npm and access to the npm registry)
#
# Translations of the UI (gettext, Babel) are kept in src/autoir/ui/locales; after changing
# user-visible text, refresh the French catalogue and translate the new entries:
#   pybabel extract -F src/autoir/ui/babel.cfg -k N_ --no-location \
#       -o /tmp/autoir-messages.pot src/autoir/ui
#   pybabel update -i /tmp/autoir-messages.pot -d src/autoir/ui/locales -l fr --no-fuzzy-matching
# The catalogue is compiled in memory at start-up; no .mo file is committed.
# tests/ui/test_translations.py fails while any message lacks a French translation.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
frontend="$root/frontend"
vendor="$root/src/autoir/ui/static/vendor"

cd "$frontend"
npm ci --ignore-scripts --no-audit --no-fund
mkdir -p "$vendor"

htmx_version="$(node -p 'require("./node_modules/htmx.org/package.json").version')"
chart_version="$(node -p 'require("./node_modules/chart.js/package.json").version')"
cytoscape_version="$(node -p 'require("./node_modules/cytoscape/package.json").version')"

# htmx.min.js carries no header of its own: add one naming the version and licence (0BSD).
{
  printf '/*! htmx %s | (c) Big Sky Software | 0BSD licence | https://htmx.org */\n' "$htmx_version"
  cat node_modules/htmx.org/dist/htmx.min.js
} >"$vendor/htmx.min.js"

# chart.umd.min.js keeps Chart.js's own MIT header.
if [[ -f node_modules/chart.js/dist/chart.umd.min.js ]]; then
  cp node_modules/chart.js/dist/chart.umd.min.js "$vendor/chart.umd.min.js"
else
  cp node_modules/chart.js/dist/chart.umd.js "$vendor/chart.umd.min.js"
fi
sed -i '/^\/\/# sourceMappingURL=/d' "$vendor/chart.umd.min.js"

# cytoscape.min.js (the investigation graph) keeps Cytoscape.js's own MIT header.
cp node_modules/cytoscape/dist/cytoscape.min.js "$vendor/cytoscape.min.js"

cp node_modules/htmx.org/LICENSE "$vendor/htmx.LICENSE.txt"
cp node_modules/cytoscape/LICENSE "$vendor/cytoscape.LICENSE.txt"
cp node_modules/chart.js/LICENSE.md "$vendor/chart.js.LICENSE.md"
printf 'htmx.org %s\nchart.js %s\ncytoscape %s\n' "$htmx_version" "$chart_version" \
  "$cytoscape_version" >"$vendor/VERSIONS.txt"
echo "Vendored htmx $htmx_version, Chart.js $chart_version and Cytoscape.js $cytoscape_version into $vendor"
