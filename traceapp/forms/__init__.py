"""Flask-WTF forms for the console: they check shapes and types at the boundary;
the rules themselves live in traceapp.domain."""
