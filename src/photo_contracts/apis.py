"""The four photo APIs as data: names, contracts, how they authenticate.

Adding a fifth API means one entry here, a contract, its schemas and an emulator module.
"""

from __future__ import annotations

from dataclasses import dataclass

from photo_contracts.errors import ToolError


@dataclass(frozen=True)
class ApiSpec:
    name: str
    title: str
    contract: str  # file name under contracts/
    auth_header: str  # header that carries the credential
    auth_prefix: str  # what precedes the token in that header ("" when none)
    emulator: str  # module under photo_contracts.sandbox

    def auth_value(self, token: str) -> str:
        return f"{self.auth_prefix}{token}"


APIS: dict[str, ApiSpec] = {
    spec.name: spec
    for spec in (
        ApiSpec("cloudcard", "CloudCard (RemotePhoto)", "cloudcard.yaml", "X-Auth-Token", "", "cloudcard"),
        ApiSpec("visitor", "VMSAlpha visitor photos", "visitor.yaml", "Authorization", "Token ", "visitor"),
        ApiSpec("fulcrum", "Fulcrum Photos", "fulcrum.yaml", "X-ApiToken", "", "fulcrum"),
        ApiSpec("autodesk", "Autodesk ACC Photos", "autodesk.yaml", "Authorization", "Bearer ", "autodesk"),
    )
}


def get_api(name: str) -> ApiSpec:
    """The API called `name`, or a ToolError that lists the valid names."""
    try:
        return APIS[name]
    except KeyError:
        raise ToolError(f"unknown API {name!r}; valid names: {', '.join(APIS)}") from None
