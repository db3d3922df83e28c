"""The landing page and a health check for load balancers."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from traceapp.web.request_session import db

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index():
    return render_template("home.html")


@blueprint.get("/healthz")
def health():
    db().execute(text("SELECT 1"))
    return jsonify(status="ok")
