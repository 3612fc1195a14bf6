"""Every Prometheus metric tailgate exports, defined in this one place.

Names follow ``tailgate_<name>_<unit>``; labels stay low in cardinality (log IDs come
from the operator's catalog, never from users; no per-user labels). Each app gets
its own registry so tests can read exactly what one server exported.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

_DURATION_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        # "_created" series double every counter and no dashboard uses them.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.active_tails = Gauge(
            "tailgate_active_tails", "Tails open right now.", ["log_id", "kind"], registry=r
        )
        self.tails_started = Counter(
            "tailgate_tails_started", "Tails started.", ["log_id", "kind"], registry=r
        )
        self.tail_duration = Histogram(
            "tailgate_tail_duration_seconds",
            "How long tails stayed open.",
            ["kind"],
            buckets=_DURATION_BUCKETS,
            registry=r,
        )
        self.sent_lines = Counter(
            "tailgate_sent_lines", "Log lines sent to viewers.", ["log_id"], registry=r
        )
        self.sent_bytes = Counter(
            "tailgate_sent_bytes",
            "Bytes of frame payload sent to viewers.",
            ["log_id"],
            registry=r,
        )
        self.ws_rejections = Counter(
            "tailgate_ws_rejections",
            "WebSocket tails refused or closed early, by reason.",
            ["reason"],
            registry=r,
        )
        self.catalog_entries = Gauge(
            "tailgate_catalog_entries", "Logs in the catalog in force.", registry=r
        )
        self.catalog_reloads = Counter(
            "tailgate_catalog_reloads",
            "Catalog loads, by result (ok, invalid, error, unchanged).",
            ["result"],
            registry=r,
        )
        self.source_errors = Counter(
            "tailgate_source_errors",
            "Problems reading sources, by kind and reason.",
            ["kind", "reason"],
            registry=r,
        )
        self.upstream_streams = Gauge(
            "tailgate_upstream_streams",
            "Kubernetes API server log streams open right now, by source kind.",
            ["kind"],
            registry=r,
        )
        self.discovery_errors = Counter(
            "tailgate_discovery_errors",
            "Failed lists and watches of discover rules, by resource and reason.",
            ["resource", "reason"],
            registry=r,
        )
        self.discovery_failing = Gauge(
            "tailgate_discovery_watches_failing",
            "Lists and watches of discover rules whose last attempt failed; what they "
            "found before stays in the catalog.",
            registry=r,
        )
        self.pod_streams_waiting = Gauge(
            "tailgate_pod_streams_waiting",
            "Pod container logs not followed because --max-pod-streams are followed "
            "already; each starts as a slot frees up.",
            registry=r,
        )
        self.upstream_reconnects = Counter(
            "tailgate_upstream_reconnects",
            "Kubernetes log streams opened again, by reason (ended, restarted, error).",
            ["reason"],
            registry=r,
        )
        self.gaps = Counter(
            "tailgate_gaps",
            "Gap notices sent to viewers (lines they should have had and could not get), "
            "by cause (behind, truncated, rotated_away, cursor).",
            ["log_id", "cause"],
            registry=r,
        )
        self.log_lines = Counter(
            "tailgate_log_lines",
            "Lines read from a log the catalog counts (count:), whether anybody watches or not.",
            ["log_id"],
            registry=r,
        )
        self.log_matches = Counter(
            "tailgate_log_matches",
            "Lines of a counted log that matched one of its count: patterns, by pattern name.",
            ["log_id", "pattern"],
            registry=r,
        )
        self.file_followers_polling = Gauge(
            "tailgate_file_followers_polling",
            "File followers that poll their path (no inotify watch on its folder or file).",
            registry=r,
        )
        self.counted_logs = Gauge(
            "tailgate_counted_logs", "Logs whose lines are counted right now.", registry=r
        )
        self.counting_capped = Gauge(
            "tailgate_counting_capped",
            "What the caps leave out of counting now: logs (--max-counted-logs) and "
            "patterns (--max-count-patterns).",
            ["what"],
            registry=r,
        )
        self.dropped_lines = Counter(
            "tailgate_dropped_lines",
            "Lines a viewer missed because it fell behind its bounded queue.",
            ["log_id"],
            registry=r,
        )

        self.auth_logins = Counter(
            "tailgate_auth_logins",
            "Sign-ins that came back from the identity provider, by result "
            "(ok, or the refusal's code).",
            ["result"],
            registry=r,
        )
        self.session_refreshes = Counter(
            "tailgate_session_refreshes",
            "Refresh grants sent to the identity provider to check a session, by result "
            "(ok, refused: the session ended, unavailable: the provider could not answer).",
            ["result"],
            registry=r,
        )
        self.tails_closed = Counter(
            "tailgate_tails_closed",
            "Tails ended, by the close code the server sent (client: the viewer closed it).",
            ["code"],
            registry=r,
        )
        self.auth_refusals = Counter(
            "tailgate_auth_refusals",
            "HTTP requests refused for want of a valid session or token, or of access, by reason.",
            ["reason"],
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
