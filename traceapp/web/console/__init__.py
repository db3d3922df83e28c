"""The working console for the Union's officers, cooperatives' operators and inspectors."""

from traceapp.web.console import (  # noqa: F401  (views register on the blueprint)
    accounts,
    batches,
    inspections,
    print_jobs,
    products,
    registry,
    reports,
    scans,
    sessions,
    union,
    value_chain,
)
from traceapp.web.console.base import blueprint

__all__ = ["blueprint"]
