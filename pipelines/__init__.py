"""tokenyield's pipelines: canonical inputs -> DuckDB warehouse (staging, intermediate, marts)."""

__version__ = "0.1.0"
