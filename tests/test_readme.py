"""The README says what the code does: its usage lines name every flag (the check table: test_check_table.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from photo_contracts.cli import parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["run", "drift", "audit", "sandbox"])
def test_every_flag_of_a_command_is_in_the_readme(command):
    subparsers = next(a for a in parser()._actions if a.dest == "command")  # noqa: SLF001 - argparse's own table
    flags = {o for action in subparsers.choices[command]._actions for o in action.option_strings  # noqa: SLF001
             if o.startswith("--") and o != "--help"}
    usage = "\n".join(block for block in re.findall(r"    photo-contracts " + command + r".*?(?:\n\n|\Z)", README, re.S))
    missing = sorted(f for f in flags if f not in usage)
    assert missing == [], f"README usage of `{command}` lacks {missing}"


def test_the_live_configuration_shows_every_key_each_api_accepts():
    """The README's live configuration lists every key of every API's table, ids included."""
    import tomllib

    from photo_contracts.apis import APIS
    from photo_contracts.config import API_KEYS, id_keys

    block = README.split("## Live targets", 1)[1].split("```toml", 1)[1].split("```", 1)[0]
    tables = tomllib.loads(block)
    for api in APIS:
        wanted = {"base_url", "token_env", "contract", *id_keys(api)} | ({"project_id"} if api == "autodesk" else set())
        assert wanted <= set(tables[api]) <= set(API_KEYS) | set(id_keys(api)), api
