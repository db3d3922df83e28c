"""The active signing key for views, as a domain refusal when there is none."""

from __future__ import annotations

from keys.fields import InvalidField
from keys.keystore import KeyStoreError
from keys.signing import CodeSigner
from traceapp.domain.signing_keys import active_signer
from traceapp.errors import Conflict
from traceapp.web.request_session import settings


def signer_or_refusal() -> CodeSigner:
    try:
        return active_signer(settings())
    except (KeyStoreError, InvalidField) as exc:
        raise Conflict("labels cannot be signed now: %(why)s", why=str(exc)) from exc
