"""The JSON API under /api/v1: bearer tokens, problem details, an OpenAPI document."""

from traceapp.web.api import (  # noqa: F401  (views register on the blueprint)
    batches,
    bundles,
    runs,
    value_chain,
)
from traceapp.web.api.base import blueprint

__all__ = ["blueprint"]
