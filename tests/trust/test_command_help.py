"""Every trust command explains itself with --help."""

from __future__ import annotations

import pytest

COMMANDS = [
    ["audit"],
    ["audit", "checkpoint"],
    ["audit", "verify"],
    ["audit", "prove"],
    ["audit", "check-proof"],
    ["backup"],
    ["backup", "create"],
    ["backup", "restore"],
    ["keys"],
    ["keys", "generate"],
    ["keys", "rotate"],
    ["keys", "revoke"],
    ["keys", "list"],
    ["keys", "export-jwks"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_command_has_help(run_cli, command):
    result = run_cli(*command, "--help")

    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
