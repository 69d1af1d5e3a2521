"""Benchmarks with recorded results (DESIGN.md: "Speed is a feature, measured").

Never part of `make test`: run them with `make bench` or `python -m bench.<name>`; each writes
its table to bench/results/. See bench/README.md.
"""
