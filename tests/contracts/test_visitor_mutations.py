"""Mutations of the documented VMSAlpha payloads that the visitor schemas must reject, at the right path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema.exceptions import best_match

from photo_contracts.contracts import SCHEMAS_DIR, file_uri, validator

SCHEMAS = SCHEMAS_DIR / "visitor"
EXAMPLES = SCHEMAS / "examples"
KEYED = json.loads((EXAMPLES / "error-keyed-by-code.json").read_text())
MESSAGE = json.loads((EXAMPLES / "error-message-type-code.json").read_text())
# The token endpoint has no verbatim example (VENDOR-NOTES names the fields only): this one has
# the documented field set with values of the inferred types (schemas/DISCREPANCIES.md, item 9).
TOKEN = {"success": True, "data": {"access_token": "9f2c4e1ab7d35e60c8a1f4b2d6e9037a5c1b8d2e", "expiry": 1735689600}}

Mutation = Callable[[Any], None]


def delete(*path: str | int) -> Mutation:
    def mutate(document: Any) -> None:
        *parents, last = path
        for key in parents:
            document = document[key]
        del document[last]
    return mutate


def assign(value: Any, *path: str | int) -> Mutation:
    def mutate(document: Any) -> None:
        *parents, last = path
        for key in parents:
            document = document[key]
        document[last] = value
    return mutate


# The vendor code's token endpoint errors (sources/visitor-vmsalpha-code.md, v1/oauth/index.php): keyed by cause.
OAUTH_ERRORS = {
    "missing-fields": {"success": False, "errors": {"post": "Username/password not supplied.", "type": "OAuthException",
                                                    "code": "1157"}},
    "unknown-user": {"success": False, "errors": {"credentials": "Wrong username/password. Please try again.",
                                                  "type": "OAuthException", "code": "1142"}},
    "wrong-password": {"success": False, "errors": {"credentials": "Wrong username/password. Please try again."}},
    "kill-php": {"success": False, "errors": {"message": "Username/password not supplied.", "type": "OAuthException",
                                              "code": "1157"}},
}

# (schema file, documented instance, mutation, JSON path of the error, keyword that rejects it)
ROWS = {
    # oauth-error.json: the token endpoint's errors
    "oauth-success-true": ("oauth-error.json", OAUTH_ERRORS["wrong-password"], assign(True, "success"), "$.success",
                           "const"),
    "oauth-errors-missing": ("oauth-error.json", OAUTH_ERRORS["wrong-password"], delete("errors"), "$", "required"),
    "oauth-errors-empty": ("oauth-error.json", OAUTH_ERRORS["wrong-password"], assign({}, "errors"), "$.errors",
                           "minProperties"),
    "oauth-undocumented-code": ("oauth-error.json", OAUTH_ERRORS["unknown-user"], assign("1143", "errors", "code"),
                                "$.errors.code", "enum"),
    # error.json, keyed-by-code shape (photo page)
    "keyed-success-missing": ("error.json", KEYED, delete("success"), "$", "required"),
    "keyed-success-true": ("error.json", KEYED, assign(True, "success"), "$.success", "const"),
    "keyed-success-as-string": ("error.json", KEYED, assign("false", "success"), "$.success", "const"),
    "keyed-errors-missing": ("error.json", KEYED, delete("errors"), "$", "required"),
    "keyed-errors-as-list": ("error.json", KEYED, assign(["..."], "errors"), "$.errors", "type"),
    "keyed-errors-as-string": ("error.json", KEYED, assign("Invalid visitor ID", "errors"), "$.errors", "type"),
    "keyed-errors-empty": ("error.json", KEYED, assign({}, "errors"), "$.errors", "minProperties"),
    "keyed-undocumented-code": ("error.json", KEYED, assign({"3405": "..."}, "errors"), "$.errors", "enum"),
    "keyed-code-not-numeric": ("error.json", KEYED, assign({"error": "..."}, "errors"), "$.errors", "enum"),
    "keyed-message-as-number": ("error.json", KEYED, assign(3404, "errors", "3404"), "$.errors['3404']", "type"),
    "keyed-message-null": ("error.json", KEYED, assign(None, "errors", "3404"), "$.errors['3404']", "type"),
    # error.json, message/type/code shape (Errors and Exceptions page, vendor code)
    "mtc-code-as-number": ("error.json", MESSAGE, assign(3404, "errors", "code"), "$.errors.code", "type"),
    "mtc-undocumented-code": ("error.json", MESSAGE, assign("3405", "errors", "code"), "$.errors.code", "enum"),
    "mtc-http-status-as-code": ("error.json", MESSAGE, assign("404", "errors", "code"), "$.errors.code", "enum"),
    "mtc-code-missing": ("error.json", MESSAGE, delete("errors", "code"), "$.errors", "required"),
    "mtc-message-missing": ("error.json", MESSAGE, delete("errors", "message"), "$.errors", "required"),
    "mtc-type-missing": ("error.json", MESSAGE, delete("errors", "type"), "$.errors", "required"),
    "mtc-message-as-number": ("error.json", MESSAGE, assign(1, "errors", "message"), "$.errors.message", "type"),
    "mtc-type-empty": ("error.json", MESSAGE, assign("", "errors", "type"), "$.errors.type", "minLength"),
    "mtc-success-null": ("error.json", MESSAGE, assign(None, "success"), "$.success", "const"),
    # token.json (POST /v1/oauth/)
    "token-success-missing": ("token.json", TOKEN, delete("success"), "$", "required"),
    "token-success-false": ("token.json", TOKEN, assign(False, "success"), "$.success", "const"),
    "token-data-missing": ("token.json", TOKEN, delete("data"), "$", "required"),
    "token-data-as-list": ("token.json", TOKEN, assign([], "data"), "$.data", "type"),
    "token-access-token-missing": ("token.json", TOKEN, delete("data", "access_token"), "$.data", "required"),
    "token-access-token-renamed": ("token.json", TOKEN, assign({"token": "abc", "expiry": 1}, "data"), "$.data", "required"),
    "token-access-token-empty": ("token.json", TOKEN, assign("", "data", "access_token"), "$.data.access_token", "minLength"),
    "token-access-token-with-space": ("token.json", TOKEN, assign("Token abc", "data", "access_token"), "$.data.access_token", "pattern"),
    "token-access-token-as-number": ("token.json", TOKEN, assign(12345, "data", "access_token"), "$.data.access_token", "type"),
    "token-expiry-missing": ("token.json", TOKEN, delete("data", "expiry"), "$.data", "required"),
    "token-expiry-null": ("token.json", TOKEN, assign(None, "data", "expiry"), "$.data.expiry", "type"),
    "token-expiry-as-float": ("token.json", TOKEN, assign(3600.5, "data", "expiry"), "$.data.expiry", "type"),
    "token-expiry-empty-string": ("token.json", TOKEN, assign("", "data", "expiry"), "$.data.expiry", "minLength"),
}


@pytest.mark.parametrize(("schema", "instance", "mutate", "json_path", "keyword"), ROWS.values(), ids=ROWS.keys())
def test_mutation_is_rejected_at_its_path(
    schema: str, instance: Any, mutate: Mutation, json_path: str, keyword: str
) -> None:
    check = validator(file_uri(SCHEMAS / schema))
    assert not list(check.iter_errors(instance)), "the unmutated instance must be valid"
    mutated = copy.deepcopy(instance)
    mutate(mutated)
    error = best_match(check.iter_errors(mutated))
    assert error is not None, f"{schema} accepted {mutated}"
    assert (error.json_path, error.validator) == (json_path, keyword), error.message


def test_every_visitor_schema_has_mutations() -> None:
    covered = {row[0] for row in ROWS.values()}
    assert covered == {path.name for path in SCHEMAS.glob("*.json")}


@pytest.mark.parametrize(
    ("document", "nested"),
    [(KEYED, None), (MESSAGE, "errors"), (TOKEN, "data")],
    ids=["keyed", "message-type-code", "token"],
)
def test_new_fields_are_not_a_contract_break(document: dict[str, Any], nested: str | None) -> None:
    # In the keyed shape every member name is an error code, so a new member there is an
    # undocumented code (rejected above); only a new top-level field is harmless.
    schema = "token.json" if document["success"] else "error.json"
    widened = copy.deepcopy(document)
    widened["request_id"] = "abc"
    if nested:
        widened[nested]["hint"] = "new"
    assert not list(validator(file_uri(SCHEMAS / schema)).iter_errors(widened))


@pytest.mark.parametrize("name", sorted(OAUTH_ERRORS))
def test_the_vendor_codes_token_errors_are_accepted(name: str) -> None:
    """A wrong password is `{"credentials": "..."}` alone in the vendor's code: no finding on a faithful server."""
    errors = [e.message for e in validator(file_uri(SCHEMAS / "oauth-error.json")).iter_errors(OAUTH_ERRORS[name])]
    assert errors == []
