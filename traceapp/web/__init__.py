"""The web layer: blueprints, request-scoped sessions and error pages (registered
on an app by traceapp/web/app.py)."""
