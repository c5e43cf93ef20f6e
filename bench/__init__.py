"""Benchmarks (`make bench`): see bench/README.md and PERFORMANCE.md "Benchmark suite"."""
