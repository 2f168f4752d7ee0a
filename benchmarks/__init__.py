"""Benchmarks of the engines (`run.py bench`, docs/performance.md); outside the `sim` package."""
