#!/usr/bin/env bash
# Installs what the benchmarks need beyond Python packages: websocketd, the
# baseline every scenario is measured against, and Debian's Chromium for the
# browser scenario (Playwright's own browser download is not used). Quick when
# both are already there.
set -euo pipefail
missing=()
command -v websocketd >/dev/null 2>&1 || missing+=(websocketd)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
