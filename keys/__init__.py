"""Signed label codes for TraceApp: build, sign, parse and verify them offline.

This package stands alone: it imports neither flask, sqlalchemy nor traceapp, so an
inspector can verify a label with nothing but it, `cryptography`, `pynacl`, `click`
and the issuer's public key document. The code format is specified in docs/code-format.md.
"""
