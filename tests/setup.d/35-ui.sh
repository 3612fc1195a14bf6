#!/usr/bin/env bash
# The page's lint and unit tests (tests/ui): ESLint from the lockfile, installed only
# when it is missing or the lockfile changed since the last install. The unit tests
# need nothing beyond Node itself (node --test).
set -euo pipefail
cd "$(dirname "$0")/../ui"
# ESLint 10 needs it, and so does importing the page's modules, which have no
# package.json to say they are ES modules (Node finds that out itself from 20.19 on).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "35-ui.sh: the page's checks need Node 20.19 or later, found $(node --version)" >&2
    exit 1
fi
stamp=node_modules/.installed-from
want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
