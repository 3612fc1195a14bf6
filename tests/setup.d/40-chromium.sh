#!/usr/bin/env bash
# The browser the end-to-end tests drive (tests/e2e): Debian's Chromium, installed only
# when it is missing. Playwright's own browser download is not used.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
