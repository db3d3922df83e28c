"""How TraceApp runs in production: the gunicorn settings every app node loads.

The load balancer, PgBouncer and systemd files are in docs/deploy/ (docs/deploy.md).
"""
