"""Background processes that run beside the web workers (print workers)."""
