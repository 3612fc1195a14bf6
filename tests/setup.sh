#!/usr/bin/env bash
# Installs what the tests need beyond Python packages (system packages, Node
# modules, downloaded tools). Each part lives in tests/setup.d/*.sh and must be
# idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
for part in tests/setup.d/*.sh; do
    [ -e "$part" ] || continue
    bash "$part"
done
