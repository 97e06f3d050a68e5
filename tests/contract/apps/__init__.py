"""Fixture code of the contract runner's tests: `drift.py` makes the real mock drift in named ways."""
