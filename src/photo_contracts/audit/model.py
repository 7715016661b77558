"""A contract as the audit reads it: each operation with what its clients deal with (parameters,
request body, responses, effective security), every OpenAPI `$ref` followed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from photo_contracts.audit.sources import Input
from photo_contracts.operations import Operation, item_operations
from photo_contracts.schema_model import Documents, Node


def is_success(status: str) -> bool:
    """1XX-3XX answers are what a client asked for; 4XX, 5XX and `default` are errors."""
    return status[:1] in "123"


@dataclass
class Interface:
    """What the clients of one operation deal with, every `$ref` followed."""

    operation: Operation
    parameters: dict[tuple[str, str], Node]  # (in, name) -> parameter object
    body: Node | None  # request body object
    responses: dict[str, Node]  # status -> response object
    security: list[frozenset[str]]  # alternatives, each the set of schemes it needs (described)

    def parameter_schema(self, key: tuple[str, str]) -> Node | None:
        node = self.parameters[key]
        if "schema" in node.value:
            return node.inner("schema")
        for media, spec in (node.value.get("content") or {}).items():
            if isinstance(spec, dict) and "schema" in spec:
                return node.inner("content", media, "schema")
        return None


@dataclass
class Contract:
    source: Input
    documents: Documents
    interfaces: dict[str, Interface] = field(default_factory=dict)  # matched by `operation_key`

    @classmethod
    def read(cls, source: Input) -> Contract:
        contract = cls(source, Documents(source.loader))
        root = contract.documents.root(source.path)
        schemes = {name: contract.documents.deref(root.inner("components", "securitySchemes", name)).value
                   for name in ((root.value.get("components") or {}).get("securitySchemes") or {})}
        default_security = root.value.get("security") or []
        for path in root.value.get("paths") or {}:
            item = contract.documents.deref(root.inner("paths", path))
            shared = contract._parameters(item)
            for operation in item_operations(path, item.value):
                node = item.inner(operation.method)
                spec = operation.spec
                contract.interfaces[operation_key(operation)] = Interface(
                    operation=operation,
                    parameters={**shared, **contract._parameters(node)},
                    body=contract.documents.deref(node.inner("requestBody")) if spec.get("requestBody") else None,
                    responses={str(status): contract.documents.deref(node.inner("responses", status))
                               for status in spec.get("responses") or {}},
                    security=[_describe(r, schemes) for r in spec.get("security", default_security)],
                )
        return contract

    def _parameters(self, node: Node) -> dict[tuple[str, str], Node]:
        """The parameters an operation or path item lists, by (in, name)."""
        found = {}
        for index in range(len(node.value.get("parameters") or ())):
            resolved = self.documents.deref(node.inner("parameters", index))
            if isinstance(resolved.value, dict):
                found[(str(resolved.value.get("in")), str(resolved.value.get("name")))] = resolved
        return found


def operation_key(operation: Operation) -> str:
    """`GET /photo/{}`: operations match across versions even when a path parameter is renamed."""
    return f"{operation.method.upper()} {re.sub(r'{[^}]*}', '{}', operation.path)}"


def _describe(requirement: dict[str, Any], schemes: dict[str, Any]) -> frozenset[str]:
    """Each scheme of one security alternative, described by what a client must send."""
    described = set()
    for name, scopes in (requirement or {}).items():
        s = schemes.get(name)
        if s is None:
            described.add(f"undefined scheme {name!r}")
            continue
        words = [str(s.get("type"))]
        if s.get("type") == "apiKey":
            words.append(f"in {s.get('in')} {s.get('name')}")
        if s.get("scheme"):
            words.append(str(s["scheme"]).lower())
        if s.get("bearerFormat"):
            words.append(f"format {s['bearerFormat']}")
        if s.get("x-auth-prefix"):
            words.append(f"prefix {s['x-auth-prefix']!r}")
        if s.get("openIdConnectUrl"):
            words.append(str(s["openIdConnectUrl"]))
        for flow, spec in sorted((s.get("flows") or {}).items()):
            words.append(f"{flow} flow {spec.get('tokenUrl') or spec.get('authorizationUrl') or ''}".strip())
        if scopes:
            words.append("scopes " + ",".join(sorted(scopes)))
        described.add(" ".join(words))
    return frozenset(described)
