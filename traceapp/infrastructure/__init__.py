"""Drivers behind the domain's ports: how labels, batch records and scans are read
and written (prepared psycopg queries, COPY, write-behind buffers, read sessions,
caches, backups). The domain states the rules; nothing here decides a verdict."""
