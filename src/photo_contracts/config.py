"""photo-contracts.toml + environment + command-line flags -> one typed Config object.

This is the only module that reads the environment (for the credential variables a live
configuration names). `None` means "not set" everywhere, so flags override the file only
when given.
"""

from __future__ import annotations

import argparse
import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from photo_contracts.apis import APIS, get_api
from photo_contracts.checks import KNOWN_CHECKS
from photo_contracts.errors import ToolError, did_you_mean
from photo_contracts.http import Limits


@dataclass(frozen=True)
class ApiConfig:
    """One API's target: where it is, which variable holds its credential, known ids."""

    name: str
    base_url: str | None = None
    token_env: str | None = None
    token: str | None = field(default=None, repr=False)  # resolved from token_env, never printed
    ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # e.g. photo_ids, visitor_ids
    project_id: str | None = None
    contract: Path | None = None  # the user's own contract for this API (None: the built-in one)
    usage: Path | None = None  # what the integration relies on of this API (usage.py; None: everything)


@dataclass(frozen=True)
class Config:
    target: str = "sandbox"  # sandbox | live
    apis: tuple[str, ...] = field(default_factory=lambda: tuple(APIS))
    api_configs: Mapping[str, ApiConfig] = field(default_factory=dict)
    report_dir: Path = Path("reports")
    sandbox_drift: str | None = None
    seed: int = 0
    examples: int | None = None  # None = the target's default
    allow_writes: bool = False
    strict: bool = False  # assumptions gate too: a failed assumption is breaking, not a notice
    baseline: Path | None = None  # accepted findings (and drift): accepted findings do not gate
    probes: bool = True  # safe negative probes of read-only operations (`[live] negative = false` turns them off)
    disabled_checks: frozenset[str] = frozenset()
    negative: bool | None = None  # None = on for sandboxes, off for live targets
    sandbox_token: str | None = field(default=None, repr=False)  # None = a random token per sandbox
    limits: Limits = Limits()
    record: Path | None = None  # record every exchange of the run into this directory
    replay_recorded: str | None = None  # when the replayed recording was made
    replay: Path | None = None  # answer from this recording (`--target replay:DIR`); target is the recorded one
    contracts: Mapping[str, Path] = field(default_factory=dict)  # API -> the user's own contract file
    flag_ids: tuple[str, ...] = ()  # `--ids` as given (KIND=ID,...): the reproduce command names them again
    jobs: int | None = None  # APIs run at once, each in its own process; None = the cores available
    part_of: Path | None = None  # the report directory of the run this one API's run is part of (parallel.py)
    usage: Path | None = None  # `--usage FILE`: what the integration relies on (usage.py); an API's own `usage =` wins

    @property
    def examples_per_operation(self) -> int:
        return self.examples if self.examples is not None else (25 if self.target == "sandbox" else 5)

    @property
    def negative_testing(self) -> bool:
        return self.negative if self.negative is not None else self.target == "sandbox"

    def enabled(self, check: str) -> bool:
        return check not in self.disabled_checks


@dataclass(frozen=True)
class LiveFlags:
    """`run --url URL --header 'NAME: VALUE' --ids KIND=ID,...`: one live API without a configuration file (the
    way schemathesis users call `st run URL -H ...`). The header's value is the credential: it is redacted and
    sent to the API's origin only, as a token_env's is."""

    url: str | None = None
    header: str | None = field(default=None, repr=False)
    ids: tuple[str, ...] = ()

    def given(self) -> bool:
        return bool(self.url or self.header or self.ids)


NO_CONFIG = ("--target live: no --config was given, so no API has a base URL or a credential. Write a TOML file "
             "with one table per API (e.g. [fulcrum] with base_url = \"https://api.fulcrumapp.com/api\" and "
             "token_env = \"FULCRUM_TOKEN\", the name of the variable holding the credential; README: Live targets) "
             "and run `photo-contracts run --target live --config FILE`, or check one API without a file: "
             "`photo-contracts run --api fulcrum --url https://api.fulcrumapp.com/api "
             "--header \"X-ApiToken: $FULCRUM_TOKEN\"`")

API_KEYS = ("base_url", "token_env", "project_id", "contract", "usage")
TOP_TABLES = ("run", "limits", "checks", "live")


def _unknown(kind: str, name: str, known: Any, source: str, where: str = "") -> ToolError:
    """One line naming a misspelt table or key, with the nearest valid name."""
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {close[0]}?" if close else f"; valid: {', '.join(sorted(known))}"
    if kind == "table":
        hint = f"; did you mean [{close[0]}]?" if close else f"; valid tables: {', '.join(f'[{k}]' for k in known)}"
        return ToolError(f"{source}: unknown table [{name}]{hint}")
    return ToolError(f"{source}: unknown key {name} in [{where}]{hint}")


def _table(data: Mapping[str, Any], key: str, source: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ToolError(f"{source}: [{key}] must be a table")
    return value


def id_keys(api: str) -> list[str]:
    """The `*_ids` keys an API's table may list: where its facts take real ids (photo_ids, visitor_ids) and its
    deleted media (deleted_ids)."""
    facts = get_api(api).facts
    keys = {known.config_key for known in facts.ids} | ({facts.deleted.config_key} if facts.deleted else set())
    return sorted(key for key in keys if key.endswith("_ids"))


def http_url(value: Any, label: str) -> str:
    """An API's base URL: http(s), a host, a valid port, and no credential in it (a credential goes in a header,
    which is redacted; a URL is printed in every report). One line (ToolError) for anything else."""
    problem = f"{label} must be an http(s) URL (the API's base URL)"
    if not isinstance(value, str):
        raise ToolError(f"{problem}, got {value!r}")
    try:
        parts = urlparse(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise ToolError(f"{problem}: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ToolError(f"{problem}, got {value!r}")
    if parts.username is not None or parts.password is not None:
        raise ToolError(f"{label} carries a user or password: give the credential as a header (token_env, --header), "
                        "never in the URL, which every report prints")
    return value


def _api_config(name: str, table: dict[str, Any], source: str, environ: Mapping[str, str], live: bool) -> ApiConfig:
    known = (*API_KEYS, *id_keys(name))
    for key in table:
        if key == "token":
            raise ToolError(f"{source}: [{name}] token: a credential never goes in the configuration file; "
                            "put it in an environment variable and name that variable in token_env")
        if key not in known:
            raise _unknown("key", key, known, source, name)
    base_url = table.get("base_url")
    if base_url is not None:
        http_url(base_url, f"{source}: [{name}] base_url")
    token_env = table.get("token_env")
    token = None
    if live:
        if not base_url:
            raise ToolError(f"{source}: [{name}] needs base_url for a live run")
        if not token_env:
            raise ToolError(f"{source}: [{name}] needs token_env (the name of the variable holding the credential)")
        token = environ.get(token_env)
        if not token:
            raise ToolError(f"environment variable {token_env} (token_env of [{name}]) is not set")
    ids = {}
    for key, value in table.items():
        if key.endswith("_ids"):
            # Ids as the API spells them: CloudCard's are integers (photo_ids = [1423442]), others strings.
            if not isinstance(value, list) or not all(_id_like(v) for v in value):
                raise ToolError(f"{source}: [{name}] {key} must be a list of ids (strings or whole numbers)")
            ids[key] = tuple(str(v) for v in value)
    project_id = table.get("project_id")
    if project_id is not None and not _id_like(project_id):
        raise ToolError(f"{source}: [{name}] project_id must be an id (a string or a whole number)")
    project_id = str(project_id) if project_id is not None else None
    contract = table.get("contract")
    if contract is not None and (not isinstance(contract, str) or not contract):
        raise ToolError(f"{source}: [{name}] contract must be the path of an OpenAPI file")
    # A path in the file is relative to the file, wherever the command runs.
    contract_path = _existing_contract(name, Path(source).parent / contract, source) if contract else None
    usage = table.get("usage")
    if usage is not None and (not isinstance(usage, str) or not usage):
        raise ToolError(f"{source}: [{name}] usage must be the path of a usage file (YAML)")
    usage_path = (Path(source).parent / usage).resolve() if usage else None
    return ApiConfig(name, base_url, token_env, token, ids, project_id, contract_path, usage_path)


def _flag_ids(api: str, pairs: tuple[str, ...]) -> tuple[dict[str, tuple[str, ...]], str | None]:
    """`--ids KIND=ID[,ID...]` (repeatable): the `*_ids` keys of the API's table by their kind (`photo` is
    photo_ids; the full key is accepted too) and `project` for project_id; (ids, project_id)."""
    keys = id_keys(api)
    kinds = {key.removesuffix("_ids"): key for key in keys}
    valid = [*kinds, *(["project"] if api == "autodesk" else [])]
    ids: dict[str, tuple[str, ...]] = {}
    project_id = None
    for pair in pairs:
        kind, sep, text = pair.partition("=")
        values = tuple(v.strip() for v in text.split(",") if v.strip())
        if not sep or not kind or not values:
            raise ToolError(f"--ids {pair!r}: expected KIND=ID[,ID...], e.g. --ids {valid[0] if valid else 'photo'}=ID")
        kind = kind.strip().removesuffix("_id") if kind.strip() == "project_id" else kind.strip()
        if kind == "project" and "project" in valid:
            if len(values) != 1:
                raise ToolError(f"--ids project={text}: one project per run")
            project_id = values[0]
            continue
        key = kinds.get(kind) or (kind if kind in keys else None)
        if key is None:
            raise ToolError(f"--ids {pair}: {api} has no ids of kind {kind!r}; {did_you_mean(kind, valid)}"
                            f"valid kinds: {', '.join(valid) or '(none)'}")
        ids[key] = ids.get(key, ()) + values
    return ids, project_id


def _flag_api_config(api: str, flags: LiveFlags, table: ApiConfig | None) -> ApiConfig:
    """The ApiConfig of `--url/--header/--ids` for one API (over its table in --config, when it has one)."""
    spec = get_api(api)
    url = http_url(flags.url or "", "--url")
    if not flags.header:
        raise ToolError(f"--url needs the credential: --header \"{spec.auth_header}: {spec.auth_prefix}$TOKEN\" "
                        f"(the header {api} documents)")
    name, sep, value = flags.header.partition(":")
    if not sep or not name.strip():
        raise ToolError("--header expects 'NAME: VALUE', e.g. "
                        f"--header \"{spec.auth_header}: {spec.auth_prefix}$TOKEN\"")
    if name.strip().lower() != spec.auth_header.lower():
        raise ToolError(f"--header {name.strip()}: {api} takes its credential in {spec.auth_header} "
                        f"(--header \"{spec.auth_header}: {spec.auth_prefix}$TOKEN\"); no other header is sent")
    token = value.strip()
    prefix = spec.auth_prefix.strip()
    if prefix and token.lower().startswith(prefix.lower() + " "):
        token = token[len(prefix):].strip()
    if not token or any(c.isspace() for c in token):
        raise ToolError(f"--header {spec.auth_header}: the value is empty or not one token "
                        "(is the variable it names set in this shell?)")
    ids, project_id = _flag_ids(api, flags.ids)
    merged = dict(table.ids) if table else {}
    merged.update(ids)
    return ApiConfig(api, url, None, token, merged, project_id or (table.project_id if table else None),
                     table.contract if table else None, table.usage if table else None)


def _existing_contract(api: str, path: Path, source: str) -> Path:
    if not path.is_file():
        raise ToolError(f"{source}: the {api} contract {path} does not exist")
    return path.resolve()


def _flag_contracts(pairs: Any, apis: tuple[str, ...], kind: str) -> dict[str, Path]:
    """`--contract API=PATH` pairs, each for an API the run checks and an existing file."""
    chosen = {}
    for name, path in pairs or ():
        api = get_api(name).name
        if api not in apis:
            raise ToolError(f"--contract {name}={path}: this {kind} does not check {api} "
                            f"(--api {' --api '.join(apis)})")
        chosen[api] = _existing_contract(api, Path(path), "--contract")
    return chosen


def add_contract_and_jobs(parser: argparse.ArgumentParser) -> None:
    """The flags `run` and `drift` share for what to judge by and how many APIs at once."""
    parser.add_argument("--jobs", type=int_range(1), metavar="N",
                        help="APIs checked at once, each in a process of its own (default: the cores available; "
                             "1 for --record and replays, and off Linux)")
    parser.add_argument("--contract", action="append", type=contract_choice, metavar="API=PATH",
                        help="judge API by this contract file instead of the one it registered (repeatable)")
    parser.add_argument("--usage", metavar="FILE",
                        help="what your integration relies on (YAML): findings about the rest are info and do not gate")


def contract_choice(text: str) -> tuple[str, str]:
    """An argparse type: `--contract API=PATH`."""
    api, sep, path = text.partition("=")
    if not sep or not api or not path:
        raise argparse.ArgumentTypeError(f"expected API=PATH (e.g. cloudcard=contracts/cloudcard.yaml), got {text!r}")
    return api, path


def _id_like(value: Any) -> bool:
    return (isinstance(value, str) and bool(value)) or (isinstance(value, int) and not isinstance(value, bool))


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer from `low` to `high` (inclusive), or a clear usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is out of range: give a number {bounds}")
        return value

    return parse


def load(
    path: str | Path | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    flags: LiveFlags | None = None,
) -> Config:
    """Read the TOML file (if any), apply command-line overrides (None = not given), resolve credentials;
    `flags` (`--url/--header/--ids`) make one API a live target without a file."""
    flags = flags or LiveFlags()
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    source = str(path) if path else "configuration"
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ToolError(f"configuration file {path} does not exist") from None
        except OSError as exc:
            raise ToolError(f"cannot read configuration file {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise ToolError(f"{path} is not a text file (a configuration file is UTF-8 TOML)") from None
        except tomllib.TOMLDecodeError as exc:
            raise ToolError(f"{path} is not valid TOML: {exc}") from None
    for table in data:
        if table not in TOP_TABLES and table not in APIS:
            raise _unknown("table", table, (*TOP_TABLES, *APIS), source)
    run = _table(data, "run", source)
    # Keys of [run]: the Config fields other tables or flags set are not among them (replay: target = "replay:DIR").
    known_run = {f.name for f in fields(Config)} - {"api_configs", "limits", "replay", "replay_recorded",
                                                    "disabled_checks", "contracts", "probes", "sandbox_token",
                                                    "part_of", "usage"}
    values: dict[str, Any] = {k: v for k, v in run.items() if k in known_run}
    unknown = set(run) - set(values)
    if unknown:
        raise _unknown("key", sorted(unknown)[0], known_run, source, "run")
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    examples, seed = values.get("examples"), values.get("seed", 0)
    if examples is not None and (not isinstance(examples, int) or isinstance(examples, bool) or examples < 1):
        raise ToolError(f"{source}: examples must be a whole number of at least 1, got {examples!r}")
    jobs = values.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise ToolError(f"{source}: jobs must be a whole number of at least 1, got {jobs!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ToolError(f"{source}: seed must be a whole number, got {seed!r}")
    target = values.get("target", "sandbox")
    if flags.given():
        if not flags.url:
            raise ToolError("--header and --ids describe a live API: give its base URL with --url URL")
        if target != "live" and "target" in values:
            raise ToolError(f"--url names a live API, but the target is {target}: drop --target {target} "
                            "(--url implies --target live)")
        target = values["target"] = "live"
        named = tuple(dict.fromkeys(get_api(name).name for name in values.get("apis") or ()))
        if len(named) != 1:
            raise ToolError(f"--url is the base URL of one API: name it with --api NAME (one of: {', '.join(APIS)})"
                            if not named else f"--url is the base URL of one API, not of {', '.join(named)}: "
                            "check several live APIs with --config FILE")
    if isinstance(target, str) and target.startswith("replay:"):
        return _replay_config(Path(target.removeprefix("replay:")), values)
    if target not in ("sandbox", "live"):
        raise ToolError(f"target must be 'sandbox', 'live' or 'replay:DIR', got {target!r}")
    if target == "live" and not path and not flags.url:
        raise ToolError(NO_CONFIG)
    apis = values.get("apis")
    if not apis and target == "live":
        apis = [name for name in APIS if name in data]  # a live run checks the APIs it is configured for
    apis = tuple(dict.fromkeys(get_api(name).name for name in (apis or APIS)))
    flagged = apis[0] if flags.url else None
    if target == "live":
        missing = [name for name in apis if name not in data and name != flagged]
        if missing:
            raise ToolError(f"a live run needs a [{missing[0]}] table in the configuration (base_url, token_env)")
    api_configs = {
        name: _api_config(name, _table(data, name, source), source, environ, target == "live" and name != flagged)
        for name in apis
    }
    if flagged:
        api_configs[flagged] = _flag_api_config(flagged, flags, api_configs.get(flagged))
    for name in set(APIS) & set(data) - set(apis):  # tables of APIs this run leaves out: still spelt right
        _api_config(name, _table(data, name, source), source, environ, False)
    limits_table = _table(data, "limits", source)
    known_limits = {f.name for f in fields(Limits)}
    if set(limits_table) - known_limits:
        raise _unknown("key", sorted(set(limits_table) - known_limits)[0], known_limits, source, "limits")
    try:
        limits = Limits(**{k: type(getattr(Limits, k))(v) for k, v in limits_table.items()})
    except (TypeError, ValueError) as exc:
        raise ToolError(f"{source}: bad value in [limits]: {exc}") from None
    disabled = _table(data, "checks", source).get("disable", [])
    if not isinstance(disabled, list) or set(disabled) - set(KNOWN_CHECKS):
        bad = sorted(set(disabled) - set(KNOWN_CHECKS)) if isinstance(disabled, list) else disabled
        raise ToolError(f"{source}: [checks] disable lists unknown checks {bad}; valid: {', '.join(KNOWN_CHECKS)}")
    live = _table(data, "live", source)
    if set(live) - {"negative"}:
        raise _unknown("key", sorted(set(live) - {"negative"})[0], ("negative",), source, "live")
    if not isinstance(live.get("negative", True), bool):
        raise ToolError(f"{source}: [live] negative must be true or false")
    contracts = {name: settings.contract for name, settings in api_configs.items() if settings.contract}
    contracts.update(_flag_contracts(values.pop("contracts", None), apis, "run"))  # the flag wins over the file
    values.update(
        contracts=contracts, probes=live.get("negative", True), target=target, apis=apis, api_configs=api_configs,
        limits=limits, disabled_checks=frozenset(disabled),
        report_dir=Path(values.get("report_dir", "reports")),
        record=Path(values["record"]) if values.get("record") else None,
        baseline=Path(values["baseline"]) if values.get("baseline") else None,
        usage=Path(values["usage"]) if values.get("usage") else None,
        flag_ids=flags.ids,
    )
    return Config(**values)


def _replay_config(directory: Path, values: dict[str, Any]) -> Config:
    """A replay runs the recorded configuration (APIs, seed, examples, checks, limits) on the recorded answers,
    judged by the contracts the recording was judged by: the user's own where it was (the same file, so the same
    verdict and drift). `--contract API=PATH` judges them by another file instead: an edited contract re-checked
    against what the API answered, without calling the API again."""
    from photo_contracts.recording import load_meta

    if not str(directory) or str(directory) == ".":
        raise ToolError("--target replay:DIR needs the directory of a recording")
    if values.get("record"):
        raise ToolError("a replay cannot be recorded again: drop --record or the replay target")
    given = [flag for key, flag in (("examples", "--examples"), ("seed", "--seed"),
                                    ("sandbox_drift", "--sandbox-drift"), ("allow_writes", "--allow-writes"))
             if values.get(key) is not None]
    if given:
        raise ToolError(f"{given[0]} cannot apply to a replay: it answers the recorded run's own requests "
                        "(same seed, examples and drift); drop it, or record a new run with it")
    meta = load_meta(directory)
    recorded = tuple(meta["apis"])
    apis = tuple(dict.fromkeys(get_api(name).name for name in (values.get("apis") or recorded)))
    missing = [name for name in apis if name not in recorded]
    if missing:
        raise ToolError(f"replay: {directory} holds no recording of {missing[0]} (it has {', '.join(recorded)})")
    try:
        limits = Limits(**{**meta.get("limits", {}), "rate": 0.0})  # no waiting between recorded answers
    except TypeError as exc:
        raise ToolError(f"replay: bad limits in {directory}: {exc}") from None
    contracts: dict[str, Path] = {}
    contracts.update(_flag_contracts(values.get("contracts"), apis, "replay"))  # the flag wins over the recording
    for name in (api for api in apis if api not in contracts):
        recorded_contract = meta["apis"][name].get("contract") or {}  # none in recordings of older versions
        if recorded_contract.get("own"):
            own = Path(recorded_contract["path"])
            if not own.is_file():
                raise ToolError(f"replay: the {name} contract {own} this recording was judged by no longer exists; "
                                f"pass --contract {name}=PATH")
            contracts[name] = own
    return Config(
        target=meta.get("target", "sandbox"), apis=apis, replay=directory, replay_recorded=meta.get("created"),
        api_configs={name: ApiConfig(name, base_url=meta["apis"][name]["base_url"]) for name in apis},
        report_dir=Path(values.get("report_dir", "reports")), sandbox_drift=meta.get("sandbox_drift"),
        seed=int(meta.get("seed", 0)), examples=meta.get("examples"), negative=meta.get("negative"),
        allow_writes=bool(meta.get("allow_writes")), disabled_checks=frozenset(meta.get("disabled_checks", ())),
        limits=limits, contracts=contracts,
    )
