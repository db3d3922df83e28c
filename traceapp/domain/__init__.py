"""The domain layer: every rule lives here, called alike by the CLI, console and API."""
