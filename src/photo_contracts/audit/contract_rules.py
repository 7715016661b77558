"""Rules about operations, parameters, status codes, media types and security."""

from __future__ import annotations

from collections.abc import Iterator

from photo_contracts.audit.changes import Hit, rule
from photo_contracts.audit.model import Contract, Interface, is_success


def _common(old: dict, new: dict) -> list:
    return [key for key in old if key in new]


# -- operations -------------------------------------------------------------------------------

@rule("operation-removed", "breaking", "document", "An operation of OLD is gone from NEW.")
def operation_removed(old: Contract, new: Contract) -> Iterator[Hit]:
    for key, interface in old.interfaces.items():
        if key not in new.interfaces:
            yield Hit("operation", "removed", operation=interface.operation.name)


@rule("operation-added", "info", "document", "NEW has an operation OLD did not have.")
def operation_added(old: Contract, new: Contract) -> Iterator[Hit]:
    for key, interface in new.interfaces.items():
        if key not in old.interfaces:
            yield Hit("operation", "added", operation=interface.operation.name)


@rule("operation-deprecated", "warning", "operation", "The operation became `deprecated: true`.")
def operation_deprecated(old: Interface, new: Interface) -> Iterator[Hit]:
    if new.operation.deprecated and not old.operation.deprecated:
        yield Hit("operation", "deprecated")


# -- parameters -------------------------------------------------------------------------------

def _required(operation: Interface, key: tuple[str, str]) -> bool:
    return key[0] == "path" or bool(operation.parameters[key].value.get("required"))


def _where(key: tuple[str, str]) -> str:
    return f"parameter {key[0]} {key[1]}"


@rule("parameter-added-required", "breaking", "operation",
      "A new required parameter: requests written for OLD lack it.")
def parameter_added_required(old: Interface, new: Interface) -> Iterator[Hit]:
    for key in new.parameters:
        if key not in old.parameters and _required(new, key):
            yield Hit(_where(key), "added, required")


@rule("parameter-added-optional", "info", "operation", "A new optional parameter.")
def parameter_added_optional(old: Interface, new: Interface) -> Iterator[Hit]:
    for key in new.parameters:
        if key not in old.parameters and not _required(new, key):
            yield Hit(_where(key), "added, optional")


@rule("parameter-removed", "warning", "operation",
      "A parameter of OLD is gone: clients that send it are not rejected by the contract "
      "(undocumented parameters are usually ignored) but what it did silently stops.")
def parameter_removed(old: Interface, new: Interface) -> Iterator[Hit]:
    for key in old.parameters:
        if key not in new.parameters:
            yield Hit(_where(key), "removed")


@rule("parameter-became-required", "breaking", "operation", "An optional parameter became required.")
def parameter_became_required(old: Interface, new: Interface) -> Iterator[Hit]:
    for key in _common(old.parameters, new.parameters):
        if _required(new, key) and not _required(old, key):
            yield Hit(_where(key), "optional -> required")


@rule("parameter-became-optional", "info", "operation", "A required parameter became optional.")
def parameter_became_optional(old: Interface, new: Interface) -> Iterator[Hit]:
    for key in _common(old.parameters, new.parameters):
        if _required(old, key) and not _required(new, key):
            yield Hit(_where(key), "required -> optional")


@rule("request-body-became-required", "breaking", "operation",
      "The request body became required (or a required body was added).")
def request_body_became_required(old: Interface, new: Interface) -> Iterator[Hit]:
    was = bool(old.body and old.body.value.get("required"))
    if new.body and new.body.value.get("required") and not was:
        yield Hit("request body", "optional -> required" if old.body else "added, required")


# -- status codes -----------------------------------------------------------------------------

@rule("success-status-removed", "breaking", "operation",
      "A documented 1XX-3XX answer is gone: clients built for it no longer get it.")
def success_status_removed(old: Interface, new: Interface) -> Iterator[Hit]:
    for status in old.responses:
        if status not in new.responses and is_success(status):
            yield Hit(f"response {status}", "removed")


@rule("error-status-removed", "warning", "operation",
      "A documented error answer (4XX, 5XX, default) is gone: error handling for it is now dead "
      "code, or the error comes back undocumented.")
def error_status_removed(old: Interface, new: Interface) -> Iterator[Hit]:
    for status in old.responses:
        if status not in new.responses and not is_success(status):
            yield Hit(f"response {status}", "removed")


@rule("success-status-added", "warning", "operation",
      "A new 1XX-3XX answer: clients may not expect another success shape.")
def success_status_added(old: Interface, new: Interface) -> Iterator[Hit]:
    for status in new.responses:
        if status not in old.responses and is_success(status):
            yield Hit(f"response {status}", "added")


@rule("error-status-added", "info", "operation", "A newly documented error answer.")
def error_status_added(old: Interface, new: Interface) -> Iterator[Hit]:
    for status in new.responses:
        if status not in old.responses and not is_success(status):
            yield Hit(f"response {status}", "added")


# -- media types ------------------------------------------------------------------------------

def _body_media(operation: Interface) -> dict:
    return (operation.body.value.get("content") or {}) if operation.body else {}


def _response_media(operation: Interface, status: str) -> dict:
    return operation.responses[status].value.get("content") or {}


@rule("request-media-type-removed", "breaking", "operation",
      "A request body media type is gone: clients sending it are refused.")
def request_media_type_removed(old: Interface, new: Interface) -> Iterator[Hit]:
    if old.body and new.body:
        for media in _body_media(old):
            if media not in _body_media(new):
                yield Hit(f"request body {media}", "removed")


@rule("request-media-type-added", "info", "operation", "A request body media type was added.")
def request_media_type_added(old: Interface, new: Interface) -> Iterator[Hit]:
    if old.body and new.body:
        for media in _body_media(new):
            if media not in _body_media(old):
                yield Hit(f"request body {media}", "added")


@rule("response-media-type-removed", "breaking", "operation",
      "A response media type is gone for a status both versions document.")
def response_media_type_removed(old: Interface, new: Interface) -> Iterator[Hit]:
    for status in _common(old.responses, new.responses):
        for media in _response_media(old, status):
            if media not in _response_media(new, status):
                yield Hit(f"response {status} {media}", "removed")


@rule("response-media-type-added", "info", "operation",
      "A response media type was added for a status both versions document.")
def response_media_type_added(old: Interface, new: Interface) -> Iterator[Hit]:
    for status in _common(old.responses, new.responses):
        for media in _response_media(new, status):
            if media not in _response_media(old, status):
                yield Hit(f"response {status} {media}", "added")


# -- security ---------------------------------------------------------------------------------

def _alternatives(operation: Interface) -> list[frozenset[str]]:
    return operation.security or [frozenset()]  # `security: []` means no credential at all


def _show(alternatives: list[frozenset[str]]) -> str:
    return " or ".join("(" + " and ".join(sorted(a)) + ")" if a else "none" for a in alternatives)


def _still_accepted(old: Interface, new: Interface) -> bool:
    """Whether every credential set that satisfied OLD still satisfies some NEW alternative."""
    return all(any(b <= a for b in _alternatives(new)) for a in _alternatives(old))


@rule("security-changed", "breaking", "operation",
      "The credentials the operation needs changed (scheme type, header name, prefix, HTTP "
      "scheme, scopes, or a credential is now required): OLD's credentials no longer suffice.")
def security_changed(old: Interface, new: Interface) -> Iterator[Hit]:
    if not _still_accepted(old, new):
        yield Hit("security", f"{_show(_alternatives(old))} -> {_show(_alternatives(new))}")


@rule("security-relaxed", "info", "operation",
      "Security changed, but every credential that satisfied OLD still satisfies NEW.")
def security_relaxed(old: Interface, new: Interface) -> Iterator[Hit]:
    if _still_accepted(old, new) and set(_alternatives(old)) != set(_alternatives(new)):
        yield Hit("security", f"{_show(_alternatives(old))} -> {_show(_alternatives(new))}")
