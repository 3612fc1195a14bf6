#!/usr/bin/env bash
# promtool for the chart's PrometheusRule checks (tests/deploy): Prometheus' own rule
# checker and rule unit-test runner. Debian packages it inside `prometheus`; only the
# static promtool binary is taken out of that package (`apt-get download`, no install,
# so no service, user or web assets) into the git-ignored .tools/, only when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.tools/promtool
if [ -x "$dest/promtool" ] && "$dest/promtool" --version >/dev/null 2>&1; then
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
download() { (cd "$work" && apt-get download -qq prometheus 2>/dev/null); }
if ! download; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    download
fi
dpkg-deb --fsys-tarfile "$work"/prometheus_*.deb | tar -x -C "$work" ./usr/bin/promtool
mkdir -p "$dest"
install -m 755 "$work/usr/bin/promtool" "$dest/promtool"
"$dest/promtool" --version >/dev/null
