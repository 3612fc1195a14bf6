#!/usr/bin/env bash
# The page's lint and unit tests (tests/ui): ESLint from the lockfile, installed only
# when it is missing or the lockfile changed since the last install. The unit tests
# need nothing beyond Node itself (node --test).
set -euo pipefail
cd "$(dirname "$0")/../ui"
stamp=node_modules/.installed-from
want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
