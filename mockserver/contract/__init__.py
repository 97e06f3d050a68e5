"""Contract testing: schemathesis 4 against our specs, with domain checks, a safety policy and drift reports.

Public surface:
- `run_contract(ContractOptions) -> ContractResult` (runner.py) and `write_reports` / `summary` (report.py);
- `register(subparsers)` / `run(args)` (command.py) for `mockserver contract`;
- `DOMAIN_CHECKS` and `domain_check` (checks.py), the typed failures (failures.py).
"""

import importlib

# Imported on first use (PEP 562): `mockserver serve` registers the `contract` subcommand without paying
# for schemathesis' import.
_EXPORTS = {
    "DOMAIN_CHECKS": "checks", "domain_check": "checks", "Credentials": "credentials",
    "summary": "report", "write_reports": "report", "ContractOptions": "runner", "ContractResult": "runner",
    "Finding": "runner", "run_contract": "runner",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"mockserver.contract.{_EXPORTS[name]}"), name)
