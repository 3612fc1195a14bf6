"""manifests/: the chart rendered once with ci/plain-values.yaml, for `kubectl apply -k`.

Regenerate after changing the chart: `.venv/bin/python -m tests.deploy.manifests`
(needs Helm: `bash tests/setup.d/50-helm.sh`). tests/deploy/test_manifests.py fails
when the files drift from what the chart renders.
"""

from __future__ import annotations

import sys

from .chart import MANIFESTS, NAMESPACE, PLAIN_VALUES, RELEASE, ROOT, render_text

REGENERATE = ".venv/bin/python -m tests.deploy.manifests"

HEADER = f"""\
# Generated from helm/tailgate with {PLAIN_VALUES.relative_to(ROOT)}
# (release "{RELEASE}", namespace "{NAMESPACE}"). Do not edit: change the chart and run
#   {REGENERATE}
# Customise with a kustomize overlay (docs/deploy.md), or render the chart yourself.
"""

KUSTOMIZATION = """\
# tailgate without Helm: `kubectl apply -k manifests/` (namespace "tailgate" must exist).
# Before applying, create the Secret `tailgate-oidc` (keys client-secret and
# session-secret) and set the sign-in settings with an overlay (docs/deploy.md).
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - tailgate.yaml
"""


def expected() -> dict[str, str]:
    """File name -> the content manifests/ should have."""
    return {
        "tailgate.yaml": HEADER + render_text(PLAIN_VALUES, release=RELEASE, namespace=NAMESPACE),
        "kustomization.yaml": KUSTOMIZATION,
    }


def main() -> int:
    MANIFESTS.mkdir(exist_ok=True)
    for name, text in expected().items():
        (MANIFESTS / name).write_text(text)
        print(f"wrote {(MANIFESTS / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
