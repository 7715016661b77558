"""Targets of a run: a sandbox started on loopback, a live API from the configuration, or a recording.

`--record DIR` records every exchange of the run; `--target replay:DIR` answers from a recording
(see `recording`).

Real ids for path parameters: the configured ones first (a sandbox's own sample where the API has no
listing), then those the API hands out, found by following the contract's OpenAPI `links` (`links`)
and the listings an API's facts name (`IdSource`, for contracts without links).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import product
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from photo_contracts.apis import Api, get_api
from photo_contracts.checks.facts import ApiFacts, IdSource
from photo_contracts.config import Config
from photo_contracts.contracts import contract_identity, load_contract, parameters_of, resolve_schema
from photo_contracts.generation import pinned_generation
from photo_contracts.http import ApiSession
from photo_contracts.jsonpath import values
from photo_contracts.links import Slot, Unanswered, contract_links, follow
from photo_contracts.operations import Operation, operations

CONFIGURED = "configured"  # an id's origin: the user's configuration
SAMPLE = "sandbox sample"  # ... or the sandbox's own sample (an API without a listing)
FOUND_CAP = 12  # ids found by a sandbox run tried explicitly per operation (a live run: as many as --examples)
LISTING_PAGE = 50  # items asked of a listing whose ids a run follows (less where the contract allows less)


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
    # operation -> path parameter -> real values, configured first (what `ids_for` answers)
    operation_ids: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # Where each real id came from: path parameter (or a configuration key a check reads itself, such as
    # deleted_ids) -> id -> "configured" | "sandbox sample" | "listing GET /photo" |
    # "link from GET /photo/{id} $.person.organization.id" | "listing GET /photo?max=50" (an IdSource's own).
    id_origins: dict[str, dict[str, str]] = field(default_factory=dict)
    # Ids the run meant to send but did not: path parameter -> ["<id>: not sent to <operations>: <why>"], e.g.
    # "1423442: not sent to GET /photo/{id}: request budget of 150 spent". Every configured id is meant for
    # every operation it fits; ids found by the run only up to `found_cap` per operation (the others may
    # still be drawn by generated cases, and are not listed here).
    ids_left_out: dict[str, list[str]] = field(default_factory=dict)
    found_cap: int = FOUND_CAP  # ids found by the run tried explicitly per operation
    _left_out: dict[tuple[str, str, str], list[str]] = field(default_factory=dict, repr=False)

    def ids_for(self, operation: str, param: str) -> list[str]:
        """Real values for one path parameter of one operation (an id source may be the operation's own)."""
        if param in self.operation_ids.get(operation, {}):
            return self.operation_ids[operation][param]
        for source in self.facts.ids:
            if source.param == param and operation in source.operations:
                return self.ids.get(source.config_key, [])
        return self.ids.get(param, [])

    def is_configured(self, param: str, value: str) -> bool:
        """The user (or the sandbox's sample) gave this id, rather than the run finding it."""
        return self.id_origins.get(param, {}).get(value) in (CONFIGURED, SAMPLE)

    def explicit_ids(self, operation: str, params: list[str]) -> list[dict[str, str]]:
        """The path parameter values an operation's test sends once each, in this order: every combination of
        configured ids, then combinations with ids the run found, as many as `found_cap` leaves room for (at
        least one); [] when a parameter has no real value. (What a budget plan reserves for the operation.)"""
        known = {p: self.ids_for(operation, p) for p in params}
        if not known or not all(known.values()):
            return []
        combos = [dict(zip(known, values, strict=True)) for values in product(*known.values())]
        given = [c for c in combos if all(self.is_configured(p, v) for p, v in c.items())]
        found = [c for c in combos if c not in given]
        return given + found[:max(self.found_cap - len(given), 1)]

    def leave_out(self, param: str, value: str, operation: str, reason: str) -> None:
        """Say that `value` was not sent to `operation`, and why (kept in `ids_left_out`)."""
        ops = self._left_out.setdefault((param, value, reason), [])
        if operation not in ops:
            ops.append(operation)
        self.ids_left_out[param] = [f"{v}: not sent to {', '.join(o)}: {why}"
                                    for (p, v, why), o in self._left_out.items() if p == param]

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


def _resolve_ids(target: Target, configured: dict[str, Any], sampled: dict[str, Any] | None = None) -> None:
    """Real values for path parameters: the configured ids (then the sandbox's sample) first, then the ids the
    API hands out, through the contract's links and the facts' own listings; each with its origin
    (`id_origins`). Other configured `*_ids` (deleted_ids) are kept under their own key for the checks."""
    given = {**(sampled or {}), **configured}
    origin_of = {key: (CONFIGURED if key in configured else SAMPLE) for key in given}
    contract = load_contract(target.api.name)
    every_op = list(operations(contract))
    ops = [op for op in every_op if op.path_params]
    links = contract_links(contract)
    scoped = {op for source in target.facts.ids for op in source.operations}
    used = {source.config_key for source in target.facts.ids}
    for key, value in given.items():
        if key.endswith("_ids") and key not in used and value:
            target.ids[key] = [str(v) for v in value]
            target.id_origins.setdefault(key, {}).update({str(v): origin_of[key] for v in value})

    def fits(source: IdSource, op: Operation) -> bool:  # the `id` of /organization/{id} is not a photo's id
        if source.operations:
            return op.name in source.operations and source.param in op.path_params
        return source.param in op.path_params and op.name not in scoped

    seeds: dict[Slot, dict[str, str]] = {}
    for source in target.facts.ids:
        value = given.get(source.config_key)
        listed = [value] if isinstance(value, (str, int)) else list(value or ())
        for op in ops:
            if listed and fits(source, op):
                seeds.setdefault((op.name, source.param), {}).update(
                    {str(v): origin_of[source.config_key] for v in listed})
    linked = {(link.target, link.param) for link in links}
    for source in target.facts.ids:  # a listing the facts name: for a contract whose links do not say it
        fitting = [op for op in ops if fits(source, op)]
        if source.method and source.path and source.json_path and not any(
                (op.name, source.param) in linked for op in fitting):
            for value in _listed(target, source, seeds, scoped):
                for op in fitting:
                    seeds.setdefault((op.name, source.param), {}).setdefault(
                        value, f"listing {source.method} {source.path}")
    slots = follow(every_op, links, seeds, lambda op, path: _answer(target, op, path), target.found_cap)

    # Each operation's ids. A parameter no link and no scope of the facts names takes the parameter's ids
    # from every operation (a contract of the user's own, without links).
    everywhere: dict[str, dict[str, str]] = {}
    for (op_name, param), held in slots.items():
        if op_name not in scoped:
            for value, origin in held.items():
                everywhere.setdefault(param, {}).setdefault(value, origin)
    for op in ops:
        for param in op.path_params:
            own = (op.name, param) in linked or op.name in scoped
            held = slots.get((op.name, param), {}) if own else everywhere.get(param, {})
            if held:
                target.operation_ids.setdefault(op.name, {})[param] = _configured_first(held)
            for value, origin in held.items():
                target.id_origins.setdefault(param, {}).setdefault(value, origin)
    for source in target.facts.ids:  # the ids each key of the facts stands for (checks and diagnoses read them)
        merged = {v: o for op in ops if fits(source, op) for v, o in slots.get((op.name, source.param), {}).items()}
        if merged:
            target.ids[source.config_key if source.operations else source.param] = _configured_first(merged)
    for param, held in everywhere.items():
        target.ids.setdefault(param, _configured_first(held))
    for param, held in target.id_origins.items():  # configured ids first here too: reports list them in order
        target.id_origins[param] = {v: held[v] for v in _configured_first(held)}


def _listed(target: Target, source: IdSource, seeds: dict[Slot, dict[str, str]], scoped: set[str]) -> list[str]:
    """The ids of a listing the facts name (its path filled with the first id of each other parameter)."""
    first: dict[str, str] = {}
    for (op_name, param), held in seeds.items():
        if held and op_name not in scoped:
            first.setdefault(param, next(iter(held)))
    try:
        response = target.call(str(source.method), str(source.path).format(**first), json=source.body)
        return [str(v) for _, v in values(response.json(), str(source.json_path))] if response.ok else []
    except (KeyError, ValueError, requests.RequestException):
        return []


def _configured_first(held: dict[str, str]) -> list[str]:
    return [v for v, o in held.items() if o in (CONFIGURED, SAMPLE)] + [
        v for v, o in held.items() if o not in (CONFIGURED, SAMPLE)]


def _answer(target: Target, op: Operation, path_values: dict[str, str]) -> Any:
    """The JSON body of one operation's 2xx answer, asked only to follow its links (None otherwise). A
    listing is asked for one page of LISTING_PAGE items; a body comes from the contract's first example."""
    api = target.api.name
    listing = next((item for item in target.facts.listings if item.operation == op.name), None)
    query: dict[str, Any] = {}
    body = _example_body(op)
    if listing is not None:
        if listing.in_body:
            schema = resolve_schema(api, _json_schema(op))
            size = (schema.get("properties") or {}).get(listing.size) or {}
            body = {**(body if isinstance(body, dict) else {}), listing.size: _page(size)}
        else:
            size = next((p.get("schema") or {} for p in parameters_of(api, op)
                         if p.get("name") == listing.size and p.get("in") == "query"), {})
            query[listing.size] = _page(size)
    path = op.path
    for param, value in path_values.items():
        path = path.replace("{" + param + "}", quote(value, safe=""))
    try:
        response = target.call(op.method.upper(), path, params=query or None,
                               **({"json": body} if body is not None else {}))
    except requests.RequestException as exc:  # too slow, too large, a redirect loop, the budget: ask no more
        raise Unanswered(str(exc)) from None
    try:
        return response.json() if target.facts.succeeded(response) else None
    except ValueError:
        return None


def _page(schema: dict[str, Any]) -> int:
    maximum = schema.get("maximum")
    return min(LISTING_PAGE, maximum) if isinstance(maximum, int) and maximum > 0 else LISTING_PAGE


def _json_schema(op: Operation) -> dict[str, Any]:
    content = (op.spec.get("requestBody") or {}).get("content") or {}
    return (content.get("application/json") or {}).get("schema") or {}


def _example_body(op: Operation) -> Any:
    """The request body a link's source is asked with: the contract's first JSON example, `{}` if a body
    is required and has none, else no body."""
    request_body = op.spec.get("requestBody") or {}
    media = (request_body.get("content") or {}).get("application/json")
    if not isinstance(media, dict):
        return None
    if "example" in media:
        return media["example"]
    for example in (media.get("examples") or {}).values():
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    return {} if request_body.get("required") else None


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
            sampled: dict[str, Any] = {}
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
                sampled = sample(sandbox.app) if sample else {}
                configured = dict(config.api_configs[name].ids)
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
            if target.live:  # as many found ids as a live run generates examples
                target.found_cap = config.examples_per_operation
            session.run_deadline_at = run_deadline_at
            stack.callback(session.close)
            if recorder is not None:
                recorder.add_api(name, session, target.token, target.live, {**sampled, **configured})
            _resolve_ids(target, configured, sampled)
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
