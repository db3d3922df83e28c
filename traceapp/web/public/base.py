"""The public blueprint: the verification pages, the key document, the box page."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("public", __name__)
