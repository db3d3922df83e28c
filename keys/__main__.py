"""`python -m keys verify CODE --keys keys.json`: the inspector's tool, no service needed."""

from keys.cli import keys_cli

if __name__ == "__main__":
    keys_cli(prog_name="python -m keys")
