"""Prometheus metrics. One registry per runtime, so tests and several apps never collide."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from huey import Huey

    from bridge.services.inbound.sync_health import SyncHealth
    from bridge.services.showing.insights import Insights
    from bridge.store.credentials import Credentials
    from bridge.store.inbox import Inbox
    from bridge.store.outbox import Outbox


class WatchedServices(Protocol):
    insights: Insights


class Watched(Protocol):
    """What the store gauges read of the runtime ``bootstrap()`` builds."""

    inbox: Inbox
    outbox: Outbox
    huey: Huey
    credentials: Credentials
    services: WatchedServices

    def clock(self) -> dt.datetime: ...

    def sync_health(self) -> list[SyncHealth]: ...


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.requests = Counter(
            "bridge_http_requests",
            "HTTP requests answered, by endpoint and status",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "bridge_http_request_duration_seconds",
            "Time to answer an HTTP request, by endpoint",
            ["endpoint"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.webhook_rejections = Counter(
            "bridge_webhook_rejections",
            "Inbound deliveries refused, by source and reason",
            ["source", "reason"],
            registry=self.registry,
        )

    def watch(self, runtime: Watched) -> None:
        self.registry.register(StoreCollector(runtime))
        self.registry.register(CredentialCollector(runtime))
        self.registry.register(SyncCollector(runtime))
        self.registry.register(InsightCollector(runtime))


class StoreCollector(Collector):
    """Read at scrape time, so the numbers are the database's, not one process's view."""

    def __init__(self, runtime: Watched) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        inbox = GaugeMetricFamily("bridge_inbox_rows", "Inbox rows by status", labels=["status"])
        outbox = GaugeMetricFamily("bridge_outbox_rows", "Outbox rows by status", labels=["status"])
        dead = GaugeMetricFamily("bridge_dead_letters", "Outbox rows that gave up (replayable)")
        queue = GaugeMetricFamily("bridge_queue_depth", "Jobs waiting in the job queue")
        try:
            inbox_counts = self.runtime.inbox.counts_by_status()
            outbox_counts = self.runtime.outbox.counts_by_status()
        except Exception:  # an unreachable database shows as missing series, not a failed scrape
            inbox_counts, outbox_counts = {}, {}
        for status, count in sorted(inbox_counts.items()):
            inbox.add_metric([status], count)
        for status, count in sorted(outbox_counts.items()):
            outbox.add_metric([status], count)
        dead.add_metric([], outbox_counts.get("dead", 0))
        with contextlib.suppress(Exception):
            queue.add_metric([], self.runtime.huey.pending_count())
        yield from (inbox, outbox, dead, queue)


class CredentialCollector(Collector):
    """Each credential's expiry and refresh failures, as every process of the bridge recorded
    them (the store), so one scrape shows what any worker met."""

    def __init__(self, runtime: Watched) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        labels = ["connector", "kind"]
        expiry = GaugeMetricFamily(
            "bridge_credential_expiry_timestamp_seconds",
            "When each credential expires (Unix time), where known",
            labels=labels,
        )
        failures = CounterMetricFamily(
            "bridge_credential_refresh_failures",
            "Times renewing each credential failed",
            labels=labels,
        )
        try:
            found = self.runtime.credentials.all()
        except Exception:  # an unreachable database shows as missing series, not a failed scrape
            found = []
        for status in found:
            if status.expires_at is not None:
                expiry.add_metric([status.connector, status.kind], status.expires_at.timestamp())
            failures.add_metric([status.connector, status.kind], status.refresh_failures)
        yield from (expiry, failures)


class InsightCollector(Collector):
    """The insights of the last completed week (ISO week, UTC): final figures, so a graph of
    them never redraws the past. Read at scrape time from the store, bounded by that week."""

    def __init__(self, runtime: Watched) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            report = self.runtime.services.insights.last_week(self.runtime.clock())
        except Exception:  # an unreachable database shows as missing series, not a failed scrape
            return
        attainment = GaugeMetricFamily(
            "bridge_sla_attainment_ratio",
            "SLA clocks met on time of those decided, last completed week, by clock and severity",
            labels=["clock", "severity"],
        )
        for (kind, group), (share,) in sorted(report.attainment["severity"].items()):
            if share.ratio is not None:
                attainment.add_metric([kind, group.removeprefix("sev ")], share.ratio)
        yield attainment
        for measure, spreads in sorted(report.durations.items()):
            (spread,) = spreads
            family = GaugeMetricFamily(
                f"bridge_time_to_{measure}_seconds",
                f"Seconds from opening to {measure.replace('_', ' ')}, last completed week",
                labels=["quantile"],
            )
            for quantile, value in (("0.5", spread.median), ("0.9", spread.p90)):
                if value is not None:
                    family.add_metric([quantile], value)
            yield family
        weekly = (
            ("bridge_escalations_opened_last_week", "Escalations opened", report.opened),
            ("bridge_escalations_closed_last_week", "Escalations closed", report.closed),
            ("bridge_renegotiations_last_week", "Plans renegotiated", report.renegotiations),
        )
        for name, what, (count,) in weekly:
            yield GaugeMetricFamily(name, f"{what} in the last completed week", value=count)
        rates = {
            "bridge_first_time_acceptance_ratio": (
                report.first_time_acceptance,
                "First answers to a fix that accepted it, last completed week",
            ),
            "bridge_still_broken_ratio": (
                report.still_broken,
                "Answers to a fix that said it is still broken, last completed week",
            ),
        }
        for name, ((share,), what) in rates.items():
            family = GaugeMetricFamily(name, what)
            if share.ratio is not None:
                family.add_metric([], share.ratio)
            yield family
        waiting = GaugeMetricFamily(
            "bridge_ar_customers_waiting",
            "Customers waiting on each of the ARs with the most waiting, now",
            labels=["system", "ar"],
        )
        for ar in report.waiting:
            waiting.add_metric([ar.system, ar.key], len(ar.customers))
        yield waiting


class SyncCollector(Collector):
    """Catch-up per vendor source: how far it compared, when it last tried, whether that failed
    (alert on ``time() - bridge_catch_up_last_synced_timestamp_seconds`` or on failing)."""

    def __init__(self, runtime: Watched) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        labels = ["connector", "scope"]
        synced = GaugeMetricFamily(
            "bridge_catch_up_last_synced_timestamp_seconds",
            "Up to when each source's events were compared with what the bridge knows (Unix time)",
            labels=labels,
        )
        checked = GaugeMetricFamily(
            "bridge_catch_up_last_run_timestamp_seconds",
            "When catch-up last asked each source, whatever the outcome (Unix time)",
            labels=labels,
        )
        failing = GaugeMetricFamily(
            "bridge_catch_up_failing",
            "1 while the last catch-up of a source failed",
            labels=labels,
        )
        behind = GaugeMetricFamily(
            "bridge_catch_up_behind",
            "1 while a source's last catch-up stopped at its page cap and a backlog remains",
            labels=labels,
        )
        try:
            found = self.runtime.sync_health()
        except Exception:  # an unreachable database shows as missing series, not a failed scrape
            found = []
        for source in found:
            named = [source.connector, source.scope]
            synced.add_metric(named, source.last_synced.timestamp())
            checked.add_metric(named, source.checked_at.timestamp())
            failing.add_metric(named, 1 if source.last_error else 0)
            behind.add_metric(named, 1 if source.behind else 0)
        yield from (synced, checked, failing, behind)
