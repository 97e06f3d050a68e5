"""Contract testing: schemathesis 4 against our specs, with domain checks, a safety policy and drift reports.

Public surface:
- `run_contract(ContractOptions) -> ContractResult` (runner.py) and `write_reports` / `summary` (report.py);
- `register(subparsers)` / `run(args)` (command.py) for `mockserver contract`;
- `DOMAIN_CHECKS` and `domain_check` (checks.py), the typed failures (failures.py).
"""

from mockserver.contract.checks import DOMAIN_CHECKS, domain_check
from mockserver.contract.credentials import Credentials
from mockserver.contract.report import summary, write_reports
from mockserver.contract.runner import ContractOptions, ContractResult, Finding, run_contract

__all__ = [
    "DOMAIN_CHECKS",
    "domain_check",
    "Credentials",
    "ContractOptions",
    "ContractResult",
    "Finding",
    "run_contract",
    "summary",
    "write_reports",
]
