# syntax=docker/dockerfile:1
# The tailgate image: the package and its runtime dependencies in a virtual environment,
# on a slim Python base, running as an unprivileged numeric user on a read-only root
# filesystem (only /tmp needs to be writable). See docs/deploy.md.

# Pinned by full version; bump it (and the digest, if you add one) deliberately.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# A venv without pip of its own: the build stage's pip installs into it, so the final
# image gets the application and nothing to install more with.
RUN python -m venv --without-pip /opt/tailgate
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY service ./service
# constraints.txt pins test tools as well; constraints only pin, so this installs the
# runtime dependencies of pyproject.toml and nothing else. pip compiles the .pyc files
# here, so the read-only runtime never needs to write them.
RUN pip --python /opt/tailgate/bin/python install --no-cache-dir -c constraints.txt .

FROM ${PYTHON_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="tailgate" \
      org.opencontainers.image.description="Live log tails in the browser, over WebSocket, for Kubernetes and plain files" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${PYTHON_IMAGE}"
# No installer in the final image, and an account for the numeric user (names in logs,
# a home that does not exist rather than one that cannot be written).
RUN python -m pip uninstall --yes --no-cache-dir pip setuptools wheel \
    && groupadd --system --gid 10001 tailgate \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin tailgate \
    && rm -rf /root/.cache /tmp/*
COPY --from=build /opt/tailgate /opt/tailgate
ENV PATH=/opt/tailgate/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TMPDIR=/tmp \
    TAILGATE_HOST=0.0.0.0 \
    TAILGATE_PORT=8080 \
    TAILGATE_METRICS_PORT=9090
USER 10001:10001
WORKDIR /tmp
EXPOSE 8080 9090
ENTRYPOINT ["tailgate", "serve"]
