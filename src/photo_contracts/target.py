"""Targets of a run: a sandbox started on loopback, a live API from the configuration, or a recording.

`--record DIR` records every exchange of the run; `--target replay:DIR` answers from a recording
(see `recording`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from photo_contracts.apis import Api, get_api
from photo_contracts.checks.facts import ApiFacts
from photo_contracts.config import Config
from photo_contracts.contracts import contract_identity, load_contract
from photo_contracts.generation import pinned_generation
from photo_contracts.http import ApiSession
from photo_contracts.jsonpath import values


@dataclass
class Target:
    api: Api
    base_url: str
    token: str = field(repr=False)
    session: ApiSession
    facts: ApiFacts
    live: bool
    ids: dict[str, list[str]] = field(default_factory=dict)  # path parameter -> real values
    sandbox: Any = None  # the running Sandbox, for sandbox targets
    token_env: str | None = None  # the variable the live credential came from (named in diagnoses)
    note: str | None = None  # said once on the console (a base URL completed with the documented path)
    contract: dict[str, Any] = field(default_factory=dict)  # the contract judged by: path, sha256, builtin

    def ids_for(self, operation: str, param: str) -> list[str]:
        """Real values for one path parameter of one operation (an id source may be the operation's own)."""
        for source in self.facts.ids:
            if source.param == param and operation in source.operations:
                return self.ids.get(source.config_key, [])
        return self.ids.get(param, [])

    def credentials(self, token: str | None = None) -> dict[str, str]:
        return {self.api.auth_header: self.api.auth_value(self.token if token is None else token)}

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def call(self, method: str, path: str, *, token: str | None = None, anonymous: bool = False,
             **kwargs: Any) -> requests.Response:
        """One request to the API (credential attached unless `anonymous`)."""
        headers = {"Accept": "application/json"} | ({} if anonymous else self.credentials(token))
        headers.update(kwargs.pop("headers", {}))  # checks' own reads ask as the vendor's examples do
        return self.session.request(method, self.url(path), headers=headers, **kwargs)


def _resolve_ids(target: Target, configured: dict[str, Any]) -> None:
    """Real values for path parameters: configuration first, then the API's own listings. Other
    configured `*_ids` (deleted_ids) are kept under their own key for the checks that use them."""
    used = {source.config_key for source in target.facts.ids}
    for key, given in configured.items():
        if key.endswith("_ids") and key not in used and given:
            target.ids[key] = [str(v) for v in given]
    for source in target.facts.ids:
        key = source.config_key if source.operations else source.param
        given = configured.get(source.config_key)
        if given:
            target.ids[key] = [given] if isinstance(given, str) else list(given)
            continue
        if not (source.method and source.path and source.json_path):
            continue
        try:
            path = source.path.format(**{k: v[0] for k, v in target.ids.items() if v})
            response = target.call(source.method, path, json=source.body)
            found = [str(v) for _, v in values(response.json(), source.json_path)] if response.ok else []
        except (KeyError, ValueError, requests.RequestException):
            found = []
        if found:
            target.ids[key] = list(dict.fromkeys(found))


@contextmanager
def open_targets(config: Config) -> Iterator[dict[str, Target]]:
    """Start sandboxes (or connect to live APIs) for every API of the run; stop them afterwards."""
    targets: dict[str, Target] = {}
    run_deadline_at = time.monotonic() + config.limits.run_deadline
    with ExitStack() as stack:
        stack.enter_context(pinned_generation())
        recorder = replayer = None
        if config.record or config.replay:
            from photo_contracts import recording

            if config.record:
                recorder = stack.enter_context(recording.Recorder.open(config.record, config))
                stack.enter_context(recording.probe_transport(recording.RecordingAdapter(recorder)))
            if config.replay:
                replayer = recording.Replayer(config.replay)
                stack.enter_context(recording.probe_transport(
                    recording.ReplayAdapter(replayer, config.limits.max_bytes)))
        for name in config.apis:
            api = get_api(name)
            facts: ApiFacts = api.facts
            if replayer is not None:  # offline: the recorded base URL and ids, a dummy token never sent
                recorded = replayer.meta["apis"][name]
                token = recording.REPLAY_TOKEN
                session = recording.ReplaySession(replayer, recorded["base_url"], api.auth_header,
                                                  api.auth_value(token), limits=config.limits,
                                                  polite=recorded["live"])
                target = Target(api, recorded["base_url"], token, session, facts, recorded["live"])
                configured = dict(recorded["ids"])
            elif config.target == "sandbox":
                from photo_contracts.sandbox import running
                from photo_contracts.sandbox.drift import get_profile

                drift = config.sandbox_drift
                own_drift = drift if drift and get_profile(drift).api == name else None
                sandbox = stack.enter_context(running(name, drift=own_drift, seed=config.seed,
                                                      token=config.sandbox_token))
                session = ApiSession(sandbox.base_url, api.auth_header, api.auth_value(sandbox.token),
                                     limits=config.limits, polite=False)
                target = Target(api, sandbox.base_url, sandbox.token, session, facts, False, sandbox=sandbox)
                sample = getattr(api.emulator, "sample_ids", None)
                configured = {**(sample(sandbox.app) if sample else {}), **config.api_configs[name].ids}
            else:
                settings = config.api_configs[name]
                assert settings.base_url and settings.token
                base_url, note = documented_base(name, settings.base_url)
                session = ApiSession(base_url, api.auth_header, api.auth_value(settings.token),
                                     limits=config.limits, polite=True)
                target = Target(api, base_url, settings.token, session, facts, True, token_env=settings.token_env,
                                note=note)
                configured = dict(settings.ids)
                if settings.project_id:
                    configured["project_id"] = settings.project_id
                _check_reachable(target)
            target.contract = contract_identity(name)
            session.run_deadline_at = run_deadline_at
            stack.callback(session.close)
            if recorder is not None:
                recorder.add_api(name, session, target.token, target.live, configured)
            _resolve_ids(target, configured)
            targets[name] = target
        yield targets


def documented_base(api: str, base_url: str) -> tuple[str, str | None]:
    """A base URL given as a bare host gets the path of the vendor's documented server
    (`http://host` -> `http://host/api` for Fulcrum), with a note saying so."""
    servers = load_contract(api).get("servers") or [{}]
    documented = urlsplit(str(servers[0].get("url", "")))
    given = urlsplit(base_url)
    if given.path.strip("/") or not documented.path.strip("/"):
        return base_url, None
    completed = urlunsplit(given._replace(path=documented.path.rstrip("/")))
    return completed, (f"{api}: base_url {base_url} has no path; using {completed}, the documented server's path "
                       f"({servers[0]['url']}); write the full base_url to silence this")


def _check_reachable(target: Target) -> None:
    """Does anything answer there? No credential, no environment proxies. An API that cannot be reached
    gets no requests, and its verdict says so (the run still writes every report); one that accepts the
    connection but does not answer is left to the per-request deadlines: that is a finding about it."""
    with requests.Session() as probe:
        probe.trust_env = False
        try:
            probe.head(target.base_url, timeout=target.session.limits.connect_timeout, allow_redirects=False)
        except requests.Timeout:
            return
        except requests.RequestException as exc:
            target.session.stalled = f"cannot reach {target.base_url} ({type(exc).__name__})"
