"""Benchmark harness for Runegate's token endpoint (`make bench`, `make bench-peers`).

Not part of the product and not part of `make test`; see docs/benchmarks.md.
"""
