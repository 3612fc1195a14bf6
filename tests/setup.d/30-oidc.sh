#!/usr/bin/env bash
# The test OpenID Connect provider (tests/oidc): its Node modules, installed from the
# lockfile only when they are missing or the lockfile changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../oidc"
stamp=node_modules/.installed-from
want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
