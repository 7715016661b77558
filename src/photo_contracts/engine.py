"""The engine of a run: sends generated cases, applies every enabled check, collects findings.

It owns the per-run state the pytest plugin keeps in `config.stash`: targets, findings,
the image cache (each image is fetched once per run) and the redactor.
"""

from __future__ import annotations

import contextlib
import shlex
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from photo_contracts import budget, provenance
from photo_contracts.checks import images as image_checks
from photo_contracts.checks import registry
from photo_contracts.checks.contract import UNMARKED
from photo_contracts.checks.facts import ImageEndpoint, ImageRecord
from photo_contracts.checks.probes import Probe
from photo_contracts.checks.probes import fill as fill_path
from photo_contracts.checks.registry import CHECKS, Check, CheckContext, CheckFailed, NotApplicable
from photo_contracts.config import Config
from photo_contracts.contracts import load_contract
from photo_contracts.coverage import Ledger
from photo_contracts.drift.observe import Observations
from photo_contracts.findings import Finding, Findings
from photo_contracts.http import BudgetExhausted, Redactor, ResponseTooLarge, redact_headers
from photo_contracts.jsonpath import values
from photo_contracts.operations import Operation, operations
from photo_contracts.provenance import Source
from photo_contracts.target import Target
from photo_contracts.verdict import ApiVerdict, overall

EXCERPT = 600  # characters of a response body shown in a finding
# Transport trouble from a hostile or broken target: a finding about the API, never a crash.
TRANSPORT_ERRORS = (ResponseTooLarge, requests.Timeout, requests.TooManyRedirects, requests.ConnectionError,
                    requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
# The user's own [limits] are the promise a hostile answer breaks (a body never finished, a redirect loop).
LIMITS = provenance.documented("limits", "the run's [limits]: timeouts, size cap, redirects")
LIVE_IMAGES_PER_ROLE = budget.IMAGES_PER_ROLE  # images fetched per operation and role on a live target


class StopApi(Exception):
    """No more requests to this API in this run (its budget is spent)."""


def curl(request: requests.PreparedRequest | None, redactor: Redactor) -> str | None:
    """The request as a curl command, with credentials and signatures masked."""
    if request is None:
        return None
    parts = ["curl", "-X", request.method or "GET"]
    for name, value in redact_headers(request.headers).items():
        if name.lower() not in ("user-agent", "accept-encoding", "connection", "content-length"):
            parts += ["-H", f"{name}: {value}"]
    body = request.body
    if body:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        parts += ["--data-binary", text[:EXCERPT]]
    parts.append(request.url or "")
    return redactor.text(shlex.join(parts))


def excerpt(response: requests.Response | None, redactor: Redactor) -> str | None:
    if response is None:
        return None
    media = response.headers.get("Content-Type", "")
    head = f"HTTP {response.status_code} {response.reason or ''}".rstrip() + f"\nContent-Type: {media or '(none)'}"
    body = response.content or b""
    if media.startswith("image/") or image_checks.sniff(body):
        return redactor.text(f"{head}\n<{len(body)} bytes of {image_checks.sniff(body) or 'binary data'}>")
    text = body[:EXCERPT].decode("utf-8", "replace")
    more = f"\n... ({len(body)} bytes in all)" if len(body) > EXCERPT else ""
    return redactor.text(f"{head}\n\n{text}{more}")


def accept_header(operation: Operation) -> str:
    """What the vendor's examples ask for: the media types the operation documents for success
    (Fulcrum's curl examples send `Accept: application/json`)."""
    media = [m for status, answer in operation.spec.get("responses", {}).items() if str(status).startswith("2")
             for m in (answer.get("content") or {}) if isinstance(answer, dict)]
    return ", ".join(dict.fromkeys(media)) or "*/*"


def strip_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query="", fragment=""))


@dataclass
class ApiStats:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0  # tests that failed on an error of photo-contracts itself, not on a finding
    planned: int = 0  # tests collected for this API: fewer ran when the run was interrupted


@dataclass
class Run:
    config: Config
    targets: dict[str, Target]
    findings: Findings = field(default_factory=Findings)
    stats: dict[str, ApiStats] = field(default_factory=dict)
    observations: Observations = field(default_factory=Observations)
    drift: list[dict[str, Any]] | None = None  # drift against the contract, computed at session end
    ledger: Ledger = field(default_factory=Ledger)
    verdicts: dict[str, ApiVerdict] = field(default_factory=dict)  # per API, decided by finish()
    explained: dict[str, int] = field(default_factory=dict)  # per API: findings a cause the verdict names explains
    explained_by: dict[str, str] = field(default_factory=dict)  # per API: that cause
    interrupted: bool = False  # set by finish(): the run's tests did not all run
    plans: dict[str, budget.Plan] = field(default_factory=dict)  # per API: its request budget, part by part
    _images: dict[str, image_checks.ImageSample | None] = field(default_factory=dict)
    _applied_once: set[tuple[str, str, str]] = field(default_factory=set)  # (api, operation, check)
    _image_counts: dict[tuple[str, str, str], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.redactor = Redactor(t.token for t in self.targets.values())
        for name in self.targets:
            self.stats.setdefault(name, ApiStats())
        from photo_contracts.judge import documented_operations

        self._operations = {(name, op.name): op for name in self.targets for op in operations(load_contract(name))}
        contracts = {name: load_contract(name) for name in self.targets}
        # Public, and what a run in another process sends back: the judge and every report read these.
        self.documented = {name: documented_operations(document) for name, document in contracts.items()}
        self.servers = {name: ((document.get("servers") or [{}])[0].get("url")) for name, document in contracts.items()}
        for name, target in self.targets.items():  # planned before the suite sends anything
            self.plans[name] = target.session.plan = budget.plan_for(target, self.config)

    def operation(self, api: str, name: str) -> Operation:
        return self._operations[(api, name)]

    def spending(self, target: Target, part: str) -> contextlib.AbstractContextManager[None]:
        """The requests sent in the block are charged to `part` of the API's budget plan."""
        plan = self.plans.get(target.api.name)
        return plan.spending(part) if plan is not None else contextlib.nullcontext()

    @property
    def verdict(self) -> str:
        return overall(self.verdicts) if self.verdicts else "inconclusive"

    @property
    def exit_code(self) -> int:
        from photo_contracts.verdict import EXIT_CODES

        return EXIT_CODES[self.verdict]

    def finish(self, *, interrupted: bool = False) -> None:
        """End of the run: judge.py drops what a named cause explains, marks what the baseline accepts and
        decides each API's verdict."""
        from photo_contracts.judge import judge

        self.interrupted = interrupted
        judge(self, interrupted=interrupted)

    def operations(self, api: str) -> list[Operation]:
        """The documented operations of `api`, in the contract's order."""
        return [op for (name, _), op in self._operations.items() if name == api]

    @property
    def images(self) -> dict[str, image_checks.ImageSample | None]:
        """Every image this run fetched, by URL without its query (None: it could not be fetched)."""
        with self._lock:
            return dict(self._images)

    # Findings
    def finding(self, target: Target, operation: str, check: str, message: str, *, source: Source | None = None,
                response: requests.Response | None = None, request: requests.PreparedRequest | None = None,
                json_path: str | None = None, image: bytes | None = None) -> Finding | None:
        """Record a finding (redacted) under the promise it breaks; an assumption that fails is a notice.
        None if the check is disabled or the finding is a repeat."""
        if not self.config.enabled(check):
            return None
        info = CHECKS.get(check)
        source = source or (info.source if info else None) or UNMARKED
        found = Finding(
            api=target.api.name, operation=operation, check=check,
            severity=provenance.severity(info.severity if info else "breaking", source, self.config.strict),
            message=self.redactor.text(message), source=source.as_dict(),
            request=curl(request if request is not None else getattr(response, "request", None), self.redactor),
            response=excerpt(response, self.redactor), json_path=json_path, image=image,
        )
        return found if self.findings.add(found) else None

    def context(self, target: Target, operation: str, **evidence: Any) -> CheckContext:
        """What the checks of one operation may look at: the evidence given, and the run's own services."""
        return CheckContext(target, operation, self.config, self._operations.get((target.api.name, operation)),
                            fetch_anonymously=lambda url: self.fetch_unauthenticated(target, operation, url),
                            **evidence)

    def judge(self, ctx: CheckContext) -> list[Finding]:
        """Apply every registered check that judges `ctx`, in registration order."""
        found: list[Finding] = []
        for check in registry.applicable(ctx):
            if check.once_per_operation and not self._first_time(check, ctx):
                continue
            try:
                found += self.apply(check, ctx)
            except NotApplicable:
                continue  # counted with its reason; the other checks still judge the evidence
        return found

    def _first_time(self, check: Check, ctx: CheckContext) -> bool:
        key = (ctx.target.api.name, ctx.operation, check.name)
        with self._lock:
            first = key not in self._applied_once
            self._applied_once.add(key)
        return first

    def apply(self, check: Check, ctx: CheckContext) -> list[Finding]:
        """Run one check; each CheckFailed becomes a finding under the source it names (or the check's own)."""
        target, operation, name = ctx.target, ctx.operation, check.name
        if not self.config.enabled(name):
            self.ledger.check(target.api.name, operation, name, "skipped", "disabled in the configuration")
            return []
        try:
            if check.group in budget.GROUPS:  # a check of its own: its requests are its part of the plan
                with self.spending(target, f"{check.group} {name}"):
                    check(ctx)
            else:
                check(ctx)
        except BudgetExhausted as exc:  # a check's own requests spent the budget (or its share): stop, not fail
            self.ledger.check(target.api.name, operation, name, "skipped", str(exc))
            raise StopApi(str(exc)) from None
        except NotApplicable as exc:
            self.ledger.check(target.api.name, operation, name, "not_applicable", str(exc))
            raise
        except TRANSPORT_ERRORS as exc:  # a check's own request got a hostile answer
            self.ledger.check(target.api.name, operation, name, "applied")
            message = f"Received {type(exc).__name__}: {exc} / Documented: a complete response within the limits"
            found = self.finding(target, operation, "response_within_limits", message, source=LIMITS)
            return [found] if found else []
        except CheckFailed as failed:
            self.ledger.check(target.api.name, operation, name, "applied")
            hits = [self.finding(target, f.operation or operation, name, f.message, source=f.source or check.source,
                                 response=self._evidence(check, ctx, f), json_path=f.json_path, image=f.image)
                    for f in failed.failures]
            return [hit for hit in hits if hit]
        self.ledger.check(target.api.name, operation, name, "applied")
        return []

    @staticmethod
    def _evidence(check: Check, ctx: CheckContext, failed: CheckFailed) -> requests.Response | None:
        """The answer a failure shows: its own, the one judged, or (an invariant's) the last answer it got."""
        if failed.response is None and ctx.response is None and check.group == "invariant":
            return ctx.target.session.last_response()
        # `is not None`: a requests.Response is falsy when its status is 4xx or 5xx, the very answers shown most
        return failed.response if failed.response is not None else ctx.response

    # Sending
    def send(self, target: Target, operation: str, send: Callable[[], requests.Response],
             counted: bool = False) -> tuple[requests.Response | None, list[Finding]]:
        """Send one request; transport trouble (too large, too slow, reset, redirect loop) is a finding, and
        for a `counted` request (a case of the operation) a line in the ledger too."""
        try:
            return send(), []
        except BudgetExhausted as exc:
            raise StopApi(str(exc)) from None
        except TRANSPORT_ERRORS as exc:
            if counted:
                self.ledger.failure(target.api.name, operation)
            message = f"Received {type(exc).__name__}: {exc} / Documented: a complete response within the limits"
            found = self.finding(target, operation, "response_within_limits", message, source=LIMITS)
            return None, [found] if found else []

    # Images
    def fetch_image(self, target: Target, operation: str, url: str, role: str, with_credentials: bool,
                    link_source: Source | None = None,
                    ) -> tuple[image_checks.ImageSample | None, list[Finding], requests.Response | None]:
        """GET an image once per run (cached by URL without its query); credentials only if asked.
        `link_source`: where the vendor says the link leads to the image."""
        key = strip_query(url)
        with self._lock:
            if key in self._images:
                return self._images[key], [], None
            if target.live:  # polite: a few images per operation and role say as much as all of them
                seen = self._image_counts.get((target.api.name, operation, role), 0)
                if seen >= LIVE_IMAGES_PER_ROLE:
                    return None, [], None
                self._image_counts[(target.api.name, operation, role)] = seen + 1
        headers = {"Accept": "image/*", **(target.credentials() if with_credentials else {})}
        with self.spending(target, f"images {operation}"):
            response, found = self.send(target, operation, lambda: target.session.get(url, headers=headers))
        sample = None
        if response is None:  # no complete answer: fetched, not decoded (the finding says why)
            self.ledger.image(target.api.name, operation, False)
        else:
            if response.ok:
                sample = image_checks.ImageSample.decode(
                    self.redactor.text(strip_query(url)), role, response.headers.get("Content-Type", ""),
                    response.content, self.config.limits.max_pixels)
                self.ledger.image(target.api.name, operation, sample.error is None)
            else:
                self.ledger.image(target.api.name, operation, False)
                message = (f"Received HTTP {response.status_code} fetching the {role} image {strip_query(url)} / "
                           "Documented: the image is downloadable")
                hit = self.finding(target, operation, "image_decodes", message, response=response,
                                   source=link_source)
                found += [hit] if hit else []
        with self._lock:
            self._images[key] = sample
        return sample, found, response

    def fetch_unauthenticated(self, target: Target, operation: str, url: str) -> image_checks.ImageSample | None:
        """A linked asset fetched without the credential (signed URLs): the decoded sample, or None."""
        response, _ = self.send(target, operation, lambda: target.session.get(url, headers={"Accept": "image/*"}))
        if response is None or not response.ok:
            return None
        sample = image_checks.ImageSample.decode(self.redactor.text(strip_query(url)), "original",
                                                 response.headers.get("Content-Type", ""), response.content,
                                                 self.config.limits.max_pixels)
        self.ledger.image(target.api.name, operation, sample.error is None)
        return sample if sample.error is None else None

    def check_image(self, target: Target, operation: str, sample: image_checks.ImageSample,
                    response: requests.Response | None, endpoint: ImageEndpoint | None = None,
                    record: ImageRecord | None = None) -> list[Finding]:
        """Judge one image (`endpoint`: the operation that served it as its answer, if one did)."""
        self.observations.image(target.api.name, operation, sample.role, sample.format, sample.size)
        return self.judge(self.context(target, operation, response=response, image=sample, endpoint=endpoint,
                                       record_facts=record))

    def check_records(self, target: Target, operation: str, document: Any, records: list[ImageRecord],
                      source: requests.Response | None = None) -> list[Finding]:
        """Follow the image links of every record in a JSON payload (from `source`) and check bytes and metadata."""
        found: list[Finding] = []
        for spec in records:
            for path, record in values(document, spec.path):
                samples: dict[str, image_checks.ImageSample] = {}
                for role, dotted in spec.links.items():
                    url = image_checks._get(record, dotted)  # noqa: SLF001
                    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                        continue
                    sample, hits, response = self.fetch_image(target, operation, url, role, spec.with_credentials,
                                                              spec.sources.get("links"))
                    found += hits
                    if sample is None:
                        continue
                    samples[role] = sample
                    found += self.check_image(target, operation, sample, response, record=spec)
                found += self.judge(self.context(target, operation, response=source, images=samples, record=record,
                                                 record_facts=spec, record_path=path))
        return found

    def check_image_endpoint(self, target: Target, operation: str, endpoint: ImageEndpoint, path: str,
                             response: requests.Response) -> list[Finding]:
        """Checks for an operation that answers with image bytes; thumbnails are compared with originals."""
        media = response.headers.get("Content-Type", "")
        if not (media.startswith("image/") or image_checks.sniff(response.content)):
            return []  # a JSON error answer: the schema checks judge it
        sample = image_checks.ImageSample.decode(self.redactor.text(response.url), endpoint.role, media,
                                                 response.content, self.config.limits.max_pixels)
        self.ledger.image(target.api.name, operation, sample.error is None)
        with self._lock:
            self._images.setdefault(strip_query(response.url), sample)
        found = self.check_image(target, operation, sample, response, endpoint)
        if endpoint.role == "thumbnail" and endpoint.original and sample.size:
            original_url = target.url(path)
            original, hits, _ = self.fetch_image(target, operation, original_url, "original", True, endpoint.source)
            found += hits
            if original is not None and original.size:
                found += self.judge(self.context(target, operation, response=response,
                                                 images={"thumbnail": sample, "original": original}))
        return found

    # One generated case, end to end
    def exercise(self, target: Target, operation: str, case: Any, mode: str) -> list[Finding]:
        """Send a schemathesis case with the real credential, as the vendor's examples ask, and apply
        every enabled check."""
        with self.spending(target, f"positive {operation}" if mode == "positive" else budget.FUZZING):
            return self._exercise(target, operation, case, mode)

    def _exercise(self, target: Target, operation: str, case: Any, mode: str) -> list[Finding]:
        documented = self.operation(target.api.name, operation)
        headers = {"Accept": accept_header(documented), **(case.headers or {})}
        case.headers = {**headers, **target.credentials()}
        request = case.as_transport_kwargs(base_url=target.base_url)
        request.setdefault("allow_redirects", False)  # a redirect is the response under test
        response, found = self.send(target, operation, lambda: target.session.request(**request), counted=True)
        if response is None:
            return found
        self.count(target, operation, response)
        self.observe(target, operation, response)
        if documented.is_write and 200 <= response.status_code < 300:
            self.forget_images(response)
        found += self.judge(self.context(target, operation, response=response, case=case, request=request, mode=mode))
        if target.facts.succeeded(response):
            found += self.photo_checks(target, operation, case, response)
        return found

    def probe(self, target: Target, probe: Probe) -> list[Finding]:
        """Send one negative probe (a request the contract forbids) and judge its answer."""
        documented = self.operation(target.api.name, probe.operation)
        values = {p: v[0] for p, v in target.ids.items() if v} | probe.path
        path = fill_path(documented.path, values)
        if path is None:
            raise NotApplicable(f"no real value for the other path parameters of {probe.operation}")
        kwargs: dict[str, Any] = {"params": probe.query, "headers": {"Accept": accept_header(documented)}}
        if documented.method in ("post", "put", "patch"):
            kwargs["json"] = probe.body if probe.body is not None else {}
        with self.spending(target, "probes"):
            response, found = self.send(target, probe.operation,
                                        lambda: target.call(documented.method.upper(), path, **kwargs))
        if response is None:
            return found
        self.observe(target, probe.operation, response)
        return found + self.judge(self.context(target, probe.operation, response=response, probe=probe))

    def forget_images(self, response: requests.Response) -> None:
        """A write may put new bytes behind a URL fetched before (a re-uploaded photo keeps its URL):
        the URLs its answer names are fetched again."""
        try:
            document = response.json()
        except ValueError:
            return
        urls: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)
            elif isinstance(node, str) and node.startswith(("http://", "https://")):
                urls.append(strip_query(node))

        walk(document)
        with self._lock:
            for url in urls:
                self._images.pop(url, None)

    def count(self, target: Target, operation: str, response: requests.Response) -> None:
        """A line in the coverage ledger for an answer to the run's own credential."""
        facts = target.facts
        self.ledger.answer(target.api.name, operation, response.status_code, success=facts.succeeded(response),
                           auth_rejected=facts.rejects_credential(response), code=facts.code_of(response))

    def observe(self, target: Target, operation: str, response: requests.Response) -> None:
        media = response.headers.get("Content-Type", "")
        body, is_json = None, False
        if "json" in media:
            with contextlib.suppress(ValueError):  # undecodable JSON: response_schema_conformance reports it
                body, is_json = response.json(), True
        self.observations.response(target.api.name, operation, response.status_code, media, body, is_json)

    def photo_checks(self, target: Target, operation: str, case: Any, response: requests.Response) -> list[Finding]:
        found: list[Finding] = []
        for endpoint in target.facts.endpoints:
            if endpoint.operation == operation:
                original = endpoint.original.split(" ", 1)[1] if endpoint.original else ""
                path = original.format(**(case.path_parameters or {})) if original else ""
                found += self.check_image_endpoint(target, operation, endpoint, path, response)
        records = [r for r in target.facts.records if operation in r.operations]
        if records and "json" in response.headers.get("Content-Type", ""):
            try:
                document = response.json()
            except ValueError:
                return found  # response_schema_conformance reports undecodable JSON
            found += self.check_records(target, operation, document, records, response)
        return found
