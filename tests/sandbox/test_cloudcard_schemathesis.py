"""Plain schemathesis against the faithful CloudCard emulator: `st run --mode positive` with its
default checks (all of them) and default phases, no hooks, no excluded check.

The contract is the real one; the copy schemathesis reads only adds examples of real data (photo
ids, the organization, a person with a real JPEG, the sandbox's persistent token), the "realistic
parameter values" schemathesis asks for, so that every operation also reaches its success answer.

One thing the contract cannot say, kept in a config file with its reason:
- POST /photo: the vendor's field is "`encodedImage`: base64" (vendor-notes); that the bytes must
  be a picture is not expressible in JSON Schema (`contentMediaType` is an annotation in 2020-12),
  so schemathesis sends base64 of random text. With a real person (schemathesis reuses ids it saw
  in responses) the emulator answers 400 "not a base64-encoded image" [I], which
  positive_data_acceptance would count as a rejected valid request. For that one operation 400 is
  added to the statuses positive_data_acceptance expects; every check still runs on it.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from photo_contracts.contracts import contract_path, load_contract, with_absolute_refs
from photo_contracts.sandbox import Sandbox, images, running

pytestmark = pytest.mark.slow

SEED = 20250206
MAX_EXAMPLES = 20
CONFIG = """
[[operations]]
include-method = "POST"
include-path = "/photo"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
"""


def contract_for(sandbox: Sandbox, directory: Path) -> Path:
    """The cloudcard contract plus this sandbox's real ids, a real upload and the token, as examples."""
    document = with_absolute_refs(load_contract("cloudcard"), contract_path("cloudcard"))
    data = sandbox.app.state.dataset
    photos = [data.photos[i] for i in data.order[::12]]
    id_parameter = document["components"]["parameters"]["Id"]
    document["paths"]["/photo/{id}"]["parameters"] = [
        {**id_parameter, "examples": {f"photo-{p.id}": {"value": p.id} for p in photos}}]
    document["paths"]["/organization/{id}"]["parameters"] = [
        {**id_parameter, "examples": {"own": {"value": data.organization["id"]}}}]

    def body_example(method: str, path: str, value: dict[str, Any]) -> None:
        document["paths"][path][method]["requestBody"]["content"]["application/json"]["example"] = value

    jpeg = base64.b64encode(images.make_image(30, 40, 7)).decode("ascii")
    body_example("post", "/photo", {"person": {"id": photos[0].person_id}, "encodedImage": jpeg})
    body_example("put", "/photo/{id}", {"status": "DOWNLOADED", "version": photos[0].fields["version"]})
    body_example("post", "/authentication-token", {"persistentAccessToken": sandbox.token})
    path = directory / "cloudcard.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def schemathesis_run(sandbox: Sandbox, directory: Path) -> subprocess.CompletedProcess[str]:
    config = directory / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config),
        "run", str(contract_for(sandbox, directory)),
        "--url", sandbox.base_url,
        "--mode", "positive",
        "-H", f"{sandbox.api.auth_header}: {sandbox.api.auth_value(sandbox.token)}",
        "--seed", str(SEED),
        "--max-examples", str(MAX_EXAMPLES),
        "--workers", "1",
    ]
    env = {k: v for k, v in os.environ.items() if k != "SCHEMATHESIS_HOOKS"}
    return subprocess.run(command, capture_output=True, text=True, cwd=directory, timeout=300,
                          env={**env, "NO_COLOR": "1"})


def test_plain_positive_run_finds_no_issue(tmp_path: Path) -> None:
    with running("cloudcard", seed=1) as sandbox:
        data = sandbox.app.state.dataset
        before = {p.id: p.fields["version"] for p in data.photos.values()}
        result = schemathesis_run(sandbox, tmp_path)
        updated = [p for p in data.photos.values() if p.id in before and p.fields["version"] > before[p.id]]
        created = [p for p in data.photos.values() if p.id not in before]
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for issue in ("Failures:", "Errors:", "Warnings:"):
        assert issue not in result.stdout, output
    assert not re.search(r"(?<![0-9])0 passed", result.stdout), output  # a phase that passed nothing ("20 passed" is fine)
    assert updated, "no PUT ever reached a real photo"
    assert created, "no POST ever created a photo"


def test_the_same_run_fails_on_a_drifted_emulator(tmp_path: Path) -> None:
    # Proof that the run above can fail: `width` sent as a string breaks the photo schema.
    with running("cloudcard", seed=1, drift="cloudcard-width-as-string") as sandbox:
        result = schemathesis_run(sandbox, tmp_path)
    assert result.returncode != 0, result.stdout
    assert "Response violates schema" in result.stdout, result.stdout
