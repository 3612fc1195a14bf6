#!/usr/bin/env bash
# Installs what the benchmarks need beyond Python packages: websocketd, the
# baseline every scenario is measured against. Quick when it is already there.
set -euo pipefail
if ! command -v websocketd >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends websocketd
fi
