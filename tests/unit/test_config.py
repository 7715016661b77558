"""config.load: every bad configuration is a one-line ToolError; credentials come only from token_env."""

from __future__ import annotations

from pathlib import Path

import pytest

from photo_contracts import config
from photo_contracts.apis import APIS
from photo_contracts.config import Limits
from photo_contracts.errors import ToolError

LIVE = """
[cloudcard]
base_url = "https://api.cloudcard.example"
token_env = "CC_TOKEN"
photo_ids = ["1", "2"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "photo-contracts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def tool_error(tmp_path: Path, text: str | None, **kwargs: object) -> str:
    path = write(tmp_path, text) if text is not None else None
    with pytest.raises(ToolError) as info:
        config.load(path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message and message.strip() == message and message
    assert "Traceback" not in message
    return message


def test_malformed_toml(tmp_path: Path) -> None:
    message = tool_error(tmp_path, "[cloudcard\nbase_url = 'x'\n", environ={})
    assert "not valid TOML" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="does not exist"):
        config.load(tmp_path / "nope.toml", environ={})


def test_unknown_api_name_lists_valid_names(tmp_path: Path) -> None:
    message = tool_error(tmp_path, None, overrides={"apis": ["nope"]}, environ={})
    assert "'nope'" in message and all(name in message for name in APIS)


def test_unknown_api_name_in_run_table(tmp_path: Path) -> None:
    message = tool_error(tmp_path, '[run]\napis = ["cloudcard", "flickr"]\n', environ={})
    assert "flickr" in message


def test_unknown_limits_key(tmp_path: Path) -> None:
    message = tool_error(tmp_path, "[limits]\nbudget = 10\nmax_megabytes = 3\n", environ={})
    assert "max_megabytes" in message and "[limits]" in message


def test_bad_limits_value(tmp_path: Path) -> None:
    message = tool_error(tmp_path, '[limits]\nbudget = "lots"\n', environ={})
    assert "[limits]" in message


def test_unknown_run_key(tmp_path: Path) -> None:
    assert "colour" in tool_error(tmp_path, '[run]\ncolour = "blue"\n', environ={})


def test_unknown_check_to_disable(tmp_path: Path) -> None:
    assert "no_such_check" in tool_error(tmp_path, '[checks]\ndisable = ["no_such_check"]\n', environ={})


def test_limits_are_read(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, "[limits]\nbudget = 7\nrate = 2\nmax_bytes = 1000\n"), environ={})
    assert cfg.limits == Limits(budget=7, rate=2.0, max_bytes=1000)


def test_live_run_with_missing_credential_variable(tmp_path: Path) -> None:
    message = tool_error(tmp_path, LIVE, overrides={"target": "live"}, environ={"OTHER": "x"})
    assert "CC_TOKEN" in message


def test_live_run_with_empty_credential_variable(tmp_path: Path) -> None:
    assert "CC_TOKEN" in tool_error(tmp_path, LIVE, overrides={"target": "live"}, environ={"CC_TOKEN": ""})


def test_live_run_without_token_env(tmp_path: Path) -> None:
    text = '[cloudcard]\nbase_url = "https://api.cloudcard.example"\n'
    assert "token_env" in tool_error(tmp_path, text, overrides={"target": "live"}, environ={})


def test_live_run_without_a_table_for_a_selected_api(tmp_path: Path) -> None:
    message = tool_error(tmp_path, LIVE, overrides={"target": "live", "apis": ["visitor"]}, environ={"CC_TOKEN": "t"})
    assert "[visitor]" in message


@pytest.mark.parametrize("base_url", ["ftp://example.com", "api.cloudcard.example", "https://", "42"])
def test_bad_base_url(tmp_path: Path, base_url: str) -> None:
    text = LIVE.replace('"https://api.cloudcard.example"', f'"{base_url}"' if base_url != "42" else "42")
    message = tool_error(tmp_path, text, overrides={"target": "live"}, environ={"CC_TOKEN": "t"})
    assert "base_url" in message


def test_bad_target(tmp_path: Path) -> None:
    assert "target" in tool_error(tmp_path, None, overrides={"target": "staging"}, environ={})


def test_live_token_comes_only_from_the_named_variable(tmp_path: Path) -> None:
    message = tool_error(tmp_path, LIVE + 'token = "from-the-file"\n', overrides={"target": "live"}, environ={})
    assert "never goes in the configuration file" in message and "from-the-file" not in message
    environ = {"CC_TOKEN": "from-the-variable", "CLOUDCARD_TOKEN": "wrong", "TOKEN": "wrong"}
    cfg = config.load(write(tmp_path, LIVE), overrides={"target": "live"}, environ=environ)
    settings = cfg.api_configs["cloudcard"]
    assert settings.token == "from-the-variable"
    assert settings.token_env == "CC_TOKEN"
    assert settings.ids == {"photo_ids": ("1", "2")}
    assert cfg.apis == ("cloudcard",)  # a live run checks the APIs it is configured for
    assert "from-the-variable" not in repr(cfg)


def test_live_token_is_not_taken_from_the_process_environment_when_environ_is_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC_TOKEN", "process-env")
    message = tool_error(tmp_path, LIVE, overrides={"target": "live"}, environ={})
    assert "CC_TOKEN" in message


def test_live_token_from_the_process_environment_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC_TOKEN", "process-env")
    cfg = config.load(write(tmp_path, LIVE), overrides={"target": "live"})
    assert cfg.api_configs["cloudcard"].token == "process-env"


def test_sandbox_run_needs_no_credentials(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, LIVE), environ={})
    assert cfg.target == "sandbox" and cfg.apis == tuple(APIS)
    assert all(settings.token is None for settings in cfg.api_configs.values())


def test_overrides_win_and_none_means_not_set(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, '[run]\nseed = 5\nexamples = 9\n'), overrides={"seed": 1, "examples": None},
                      environ={})
    assert cfg.seed == 1 and cfg.examples == 9


@pytest.mark.parametrize(("text", "expected"), [
    ('[cloudcrad]\nbase_url = "https://api.cloudcard.us"\n', "unknown table [cloudcrad]; did you mean [cloudcard]?"),
    ('[fulcrum]\nbase_ulr = "https://api.fulcrumapp.com/api"\n', "unknown key base_ulr in [fulcrum]; did you mean base_url?"),
    ('[limits]\nbudjet = 10\n', "unknown key budjet in [limits]; did you mean budget?"),
    ('[run]\nseeed = 3\n', "unknown key seeed in [run]; did you mean seed?"),
])
def test_a_misspelt_table_or_key_is_named_with_the_fix_in_sandbox_runs_too(tmp_path: Path, text: str,
                                                                           expected: str) -> None:
    assert expected in tool_error(tmp_path, text, environ={})


def test_ids_are_accepted_as_the_api_spells_them(tmp_path: Path) -> None:
    """CloudCard photo ids are integers in its payloads: photo_ids = [1423442] is how users write them."""
    cfg = config.load(write(tmp_path, '[cloudcard]\nphoto_ids = [1423442, "1415398"]\n'), environ={})
    assert cfg.api_configs["cloudcard"].ids == {"photo_ids": ("1423442", "1415398")}
    assert "list of ids" in tool_error(tmp_path, '[cloudcard]\nphoto_ids = [true]\n', environ={})
