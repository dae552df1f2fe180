"""Benchmarks of the gateway against its physical baseline: ``python -m benchmarks.run`` (docs/performance.md)."""
