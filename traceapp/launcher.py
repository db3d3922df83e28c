"""The `traceapp` command: `verify` without the web service, everything else with it.

An inspector runs `traceapp verify` many times in a row on a laptop with no signal;
importing Flask, SQLAlchemy and the whole app took ten times longer than the check
itself. So `verify` goes straight to keys.cli (no Flask, no SQLAlchemy), and every
other command to the full command group in traceapp.cli, which lists `verify` too.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `traceapp` console script."""
    if sys.argv[1:2] == ["verify"]:
        from keys.cli import verify_command

        verify_command.main(args=sys.argv[2:], prog_name="traceapp verify")
        return
    from traceapp.cli import main as full_command_group

    full_command_group()
