"""Benchmark functions: each returns a dict of median timings; see scripts/benchmark.py."""
