"""Scenario files: schema, loading, validation against the specs, and per-operation behaviours."""
