"""A contract as the audit reads it: operations with their parameters, bodies, responses and
effective security, every OpenAPI `$ref` already followed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from photo_contracts.audit.schemas import Node, Resolver
from photo_contracts.audit.sources import Input

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def is_success(status: str) -> bool:
    """1XX-3XX answers are what a client asked for; 4XX, 5XX and `default` are errors."""
    return status[:1] in "123"


@dataclass
class Operation:
    name: str  # "GET /photo/{id}"
    deprecated: bool
    parameters: dict[tuple[str, str], Node]  # (in, name) -> parameter object
    body: Node | None  # request body object
    responses: dict[str, Node]  # status -> response object
    security: list[frozenset[str]]  # alternatives, each the set of schemes it needs (described)

    def parameter_schema(self, key: tuple[str, str]) -> Node | None:
        node = self.parameters[key]
        if "schema" in node.value:
            return Node(node.path, node.value["schema"])
        for media in (node.value.get("content") or {}).values():
            if isinstance(media, dict) and "schema" in media:
                return Node(node.path, media["schema"])
        return None


@dataclass
class Contract:
    source: Input
    resolver: Resolver
    operations: dict[str, Operation] = field(default_factory=dict)  # matched by normalized key

    @classmethod
    def read(cls, source: Input) -> Contract:
        contract = cls(source, Resolver(source.loader))
        document = source.document
        schemes = (document.get("components") or {}).get("securitySchemes") or {}
        default_security = document.get("security") or []
        for path, item in (document.get("paths") or {}).items():
            item_node = contract.resolver.deref(Node(source.path, item))
            shared = contract._parameters(item_node, item_node.value.get("parameters"))
            for method in HTTP_METHODS:
                spec = item_node.value.get(method)
                if not isinstance(spec, dict):
                    continue
                op_node = Node(item_node.path, spec)
                body = spec.get("requestBody")
                contract.operations[operation_key(method, path)] = Operation(
                    name=f"{method.upper()} {path}",
                    deprecated=bool(spec.get("deprecated")),
                    parameters={**shared, **contract._parameters(op_node, spec.get("parameters"))},
                    body=contract.resolver.deref(Node(op_node.path, body)) if body else None,
                    responses={str(status): contract.resolver.deref(Node(op_node.path, response))
                               for status, response in (spec.get("responses") or {}).items()},
                    security=[_describe(requirement, schemes, contract.resolver, source.path)
                              for requirement in spec.get("security", default_security)],
                )
        return contract

    def _parameters(self, node: Node, parameters: Any) -> dict[tuple[str, str], Node]:
        found = {}
        for parameter in parameters or []:
            resolved = self.resolver.deref(Node(node.path, parameter))
            if isinstance(resolved.value, dict):
                found[(str(resolved.value.get("in")), str(resolved.value.get("name")))] = resolved
        return found


def operation_key(method: str, path: str) -> str:
    """`GET /photo/{}`: operations match across versions even when a path parameter is renamed."""
    return f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path)}"


def _describe(requirement: dict[str, Any], schemes: dict[str, Any], resolver: Resolver,
              path: str) -> frozenset[str]:
    """Each scheme of one security alternative, described by what a client must send."""
    described = set()
    for name, scopes in (requirement or {}).items():
        scheme = schemes.get(name)
        if scheme is None:
            described.add(f"undefined scheme {name!r}")
            continue
        s = resolver.deref(Node(path, scheme)).value
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
