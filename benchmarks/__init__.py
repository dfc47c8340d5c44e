"""Benchmarks that need the test suite's offline Discord stand-in (run from the repository root)."""
