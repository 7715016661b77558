"""The engine of a run: sends generated cases, applies every enabled check, collects findings.

It owns the per-run state the pytest plugin keeps in `config.stash`: targets, findings,
the image cache (each image is fetched once per run) and the redactor.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from photo_contracts.checks import BUILTIN_CHECKS
from photo_contracts.checks import images as image_checks
from photo_contracts.checks.builtin import describe, json_path, run_builtins
from photo_contracts.checks.facts import ImageEndpoint, ImageRecord
from photo_contracts.checks.registry import CHECKS, CheckFailed
from photo_contracts.config import Config
from photo_contracts.drift.observe import Observations
from photo_contracts.findings import Finding, Findings
from photo_contracts.http import BudgetExhausted, Redactor, ResponseTooLarge, redact_headers
from photo_contracts.jsonpath import values
from photo_contracts.target import Target

EXCERPT = 600  # characters of a response body shown in a finding
# Transport trouble from a hostile or broken target: a finding about the API, never a crash.
TRANSPORT_ERRORS = (ResponseTooLarge, requests.Timeout, requests.TooManyRedirects, requests.ConnectionError,
                    requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)


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


def strip_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query="", fragment=""))


@dataclass
class ApiStats:
    passed: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass
class Run:
    config: Config
    targets: dict[str, Target]
    findings: Findings = field(default_factory=Findings)
    stats: dict[str, ApiStats] = field(default_factory=dict)
    observations: Observations = field(default_factory=Observations)
    drift: list[dict[str, Any]] | None = None  # drift against the contract, computed at session end
    _images: dict[str, image_checks.ImageSample | None] = field(default_factory=dict)
    _auth_probed: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.redactor = Redactor(t.token for t in self.targets.values())
        for name in self.targets:
            self.stats.setdefault(name, ApiStats())

    # Findings
    def finding(self, target: Target, operation: str, check: str, message: str, *,
                response: requests.Response | None = None, request: requests.PreparedRequest | None = None,
                json_path: str | None = None, image: bytes | None = None) -> Finding | None:
        """Record a finding (redacted); None if the check is disabled or the finding is a repeat."""
        if not self.config.enabled(check):
            return None
        info = CHECKS.get(check)
        found = Finding(
            api=target.api.name, operation=operation, check=check,
            severity=info.severity if info else "breaking", message=self.redactor.text(message),
            request=curl(request if request is not None else getattr(response, "request", None), self.redactor),
            response=excerpt(response, self.redactor), json_path=json_path, image=image,
        )
        return found if self.findings.add(found) else None

    def apply(self, check: str, target: Target, operation: str, function: Callable[..., None], *args: Any,
              response: requests.Response | None = None) -> list[Finding]:
        """Run one photo check; a CheckFailed becomes a finding."""
        if not self.config.enabled(check):
            return []
        try:
            function(*args)
        except BudgetExhausted as exc:  # a check's own requests spent the budget: stop, not fail
            raise StopApi(str(exc)) from None
        except TRANSPORT_ERRORS as exc:  # a check's own request got a hostile answer
            message = f"Received {type(exc).__name__}: {exc} / Documented: a complete response within the limits"
            found = self.finding(target, operation, "response_within_limits", message)
            return [found] if found else []
        except CheckFailed as failed:
            if failed.response is None and response is None and getattr(CHECKS.get(check), "group", "") == "invariant":
                response = target.session.last_response()  # the answer the invariant failed on
            found = self.finding(target, failed.operation or operation, check, failed.message,
                                 response=failed.response or response,
                                 json_path=failed.json_path, image=failed.image)
            return [found] if found else []
        return []

    # Sending
    def send(self, target: Target, operation: str, send: Callable[[], requests.Response]) -> tuple[requests.Response | None, list[Finding]]:
        """Send one request; transport trouble (too large, too slow, redirect loop) is a finding."""
        try:
            return send(), []
        except BudgetExhausted as exc:
            raise StopApi(str(exc)) from None
        except TRANSPORT_ERRORS as exc:
            message = f"Received {type(exc).__name__}: {exc} / Documented: a complete response within the limits"
            found = self.finding(target, operation, "response_within_limits", message)
            return None, [found] if found else []

    # Images
    def fetch_image(self, target: Target, operation: str, url: str, role: str,
                    with_credentials: bool) -> tuple[image_checks.ImageSample | None, list[Finding], requests.Response | None]:
        """GET an image once per run (cached by URL without its query); credentials only if asked."""
        key = strip_query(url)
        with self._lock:
            if key in self._images:
                return self._images[key], [], None
        headers = target.credentials() if with_credentials else {}
        response, found = self.send(target, operation, lambda: target.session.get(url, headers=headers))
        sample = None
        if response is not None:
            if response.ok:
                sample = image_checks.ImageSample.decode(
                    self.redactor.text(strip_query(url)), role, response.headers.get("Content-Type", ""),
                    response.content, self.config.limits.max_pixels)
            else:
                message = (f"Received HTTP {response.status_code} fetching the {role} image {strip_query(url)} / "
                           "Documented: the image is downloadable")
                hit = self.finding(target, operation, "image_decodes", message, response=response)
                found += [hit] if hit else []
        with self._lock:
            self._images[key] = sample
        return sample, found, response

    def check_image(self, target: Target, operation: str, sample: image_checks.ImageSample,
                    response: requests.Response | None, thumbnail_formats: tuple[str, ...] | None,
                    width: int | None = None) -> list[Finding]:
        self.observations.image(target.api.name, operation, sample.role, sample.format, sample.size)
        found = self.apply("image_matches_content_type", target, operation, image_checks.image_matches_content_type,
                           sample, response=response)
        found += self.apply("image_decodes", target, operation, image_checks.image_decodes, sample, response=response)
        if sample.role == "thumbnail" and thumbnail_formats:
            found += self.apply("thumbnail_is_documented_format", target, operation,
                                image_checks.thumbnail_is_documented_format, sample, thumbnail_formats, width,
                                response=response)
        return found

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
                    sample, hits, response = self.fetch_image(target, operation, url, role, spec.with_credentials)
                    found += hits
                    if sample is None:
                        continue
                    samples[role] = sample
                    found += self.check_image(target, operation, sample, response, target.facts.thumbnail_formats)
                original = samples.get("original")
                if original and original.size:
                    found += self.apply("image_metadata_matches", target, operation,
                                        image_checks.image_metadata_matches, record, spec, original, path,
                                        response=source)
                thumbnail = samples.get("thumbnail")
                if thumbnail and original:
                    found += self.apply("thumbnail_not_larger_than_original", target, operation,
                                        image_checks.thumbnail_not_larger_than_original, thumbnail, original,
                                        response=source)
        return found

    def check_image_endpoint(self, target: Target, operation: str, endpoint: ImageEndpoint, path: str,
                             response: requests.Response) -> list[Finding]:
        """Checks for an operation that answers with image bytes; thumbnails are compared with originals."""
        media = response.headers.get("Content-Type", "")
        if not (media.startswith("image/") or image_checks.sniff(response.content)):
            return []  # a JSON error answer: the schema checks judge it
        sample = image_checks.ImageSample.decode(self.redactor.text(response.url), endpoint.role, media,
                                                 response.content, self.config.limits.max_pixels)
        with self._lock:
            self._images.setdefault(strip_query(response.url), sample)
        formats = endpoint.formats if endpoint.role == "thumbnail" else None
        found = self.check_image(target, operation, sample, response, formats, endpoint.width)
        if endpoint.role == "thumbnail" and endpoint.original and sample.size:
            original_url = target.url(path)
            original, hits, _ = self.fetch_image(target, operation, original_url, "original", True)
            found += hits
            if original is not None and original.size:
                found += self.apply("thumbnail_not_larger_than_original", target, operation,
                                    image_checks.thumbnail_not_larger_than_original, sample, original,
                                    response=response)
        return found

    # One generated case, end to end
    def exercise(self, target: Target, operation: str, case: Any, mode: str) -> list[Finding]:
        """Send a schemathesis case with the real credential and apply every enabled check."""
        case.headers = {**(case.headers or {}), **target.credentials()}
        request = case.as_transport_kwargs(base_url=target.base_url)
        request.setdefault("allow_redirects", False)  # a redirect is the response under test
        response, found = self.send(target, operation, lambda: target.session.request(**request))
        if response is None:
            return found
        self.observe(target, operation, response)
        names = [n for n in BUILTIN_CHECKS if self.config.enabled(n) and n not in target.facts.excluded_builtins
                 and not (mode == "positive" and n == "negative_data_rejection")]
        # ignored_auth re-sends the request twice: once per operation is proof enough. Its probes bypass
        # the one HTTP client (schemathesis drops the session: no budget, rate limit, timeout or size cap),
        # so never on a live API; there credentials_are_enforced probes through the client.
        with self._lock:
            if "ignored_auth" in names and (target.live or operation in self._auth_probed or not response.ok):
                names.remove("ignored_auth")
            elif "ignored_auth" in names:
                self._auth_probed.add(operation)
        try:
            failures = run_builtins(case, response, names, {"session": target.session, "base_url": target.base_url},
                                    target.credentials())
        except BudgetExhausted as exc:
            raise StopApi(str(exc)) from None
        except requests.RequestException as exc:  # a probe request of a built-in check failed
            failures = []
            hit = self.finding(target, operation, "response_within_limits",
                               f"Received {type(exc).__name__}: {exc} / Documented: a complete response")
            found += [hit] if hit else []
        for name, failure in failures:
            hit = self.finding(target, operation, name, describe(failure), response=response,
                               json_path=json_path(failure))
            found += [hit] if hit else []
        if 200 <= response.status_code < 300:
            found += self.photo_checks(target, operation, case, response)
        return found

    def observe(self, target: Target, operation: str, response: requests.Response) -> None:
        media = response.headers.get("Content-Type", "")
        body, is_json = None, False
        if "json" in media:
            try:
                body, is_json = response.json(), True
            except ValueError:
                pass  # undecodable JSON: response_schema_conformance reports it
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
