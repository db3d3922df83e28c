"""Drivers behind the domain's ports: storage formats, database-specific paths, caches."""
