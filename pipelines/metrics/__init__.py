"""Metric definitions (docs/metrics.md) computed from the marts; shared by `summary` and the dashboard."""

from pipelines.metrics.filters import Filters

__all__ = ["Filters"]
