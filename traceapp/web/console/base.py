"""The console's blueprint and what its views share: the roles, the input checks."""

from __future__ import annotations

from flask import Blueprint, request

from traceapp.errors import InvalidInput
from traceapp.models import Role

blueprint = Blueprint("console", __name__, url_prefix="/console")

OFFICER, OPERATOR, INSPECTOR = Role.UNION_OFFICER, Role.COOPERATIVE_OPERATOR, Role.INSPECTOR
ALL_ROLES = tuple(Role)


@blueprint.before_request
def _no_nul_characters() -> None:
    # PostgreSQL text cannot hold NUL; refuse it at the boundary rather than fail later.
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            if "\x00" in value or "\x00" in name:
                raise InvalidInput("the input must not contain NUL characters", field=name)
