"""The real schemathesis CLI, positive mode, all built-in checks, against the CloudCard emulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from photo_contracts.contracts import contract_path, load_contract, with_absolute_refs
from photo_contracts.sandbox import Sandbox, running

pytestmark = pytest.mark.slow

SEED = 20250206
MAX_EXAMPLES = 20
# No check is excluded: CloudCard answers missing or wrong tokens with 401 [I], as ignored_auth
# expects, and every other documented behaviour agrees with the built-in checks.


def contract_for(sandbox: Sandbox, directory: Path) -> Path:
    """The cloudcard contract plus this sandbox's real ids and credential as examples.

    Random ids only ever reach 404 and random tokens 401; the examples make schemathesis also
    read real photos and the organization, update a photo and get a session token. POST /photo
    gets no example on purpose: schemathesis would pair a real person with generated base64 that
    is no image, which the emulator (like the vendor) rejects with 400, and positive_data_acceptance
    counts that as a rejected valid request. Uploads are tested in test_cloudcard_emulator.py.
    """
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

    body_example("put", "/photo/{id}", {"status": "DOWNLOADED", "version": photos[0].fields["version"]})
    body_example("post", "/authentication-token", {"persistentAccessToken": sandbox.token})
    path = directory / "cloudcard.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def schemathesis_run(sandbox: Sandbox, directory: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", str(contract_for(sandbox, directory)),
        "--url", sandbox.base_url,
        "--mode", "positive",
        "--checks", "all",
        "-H", f"{sandbox.api.auth_header}: {sandbox.api.auth_value(sandbox.token)}",
        "--seed", str(SEED),
        "--max-examples", str(MAX_EXAMPLES),
        "--workers", "1",
    ]
    return subprocess.run(command, capture_output=True, text=True, cwd=directory, timeout=120)


def test_faithful_emulator_passes_every_builtin_check(tmp_path: Path) -> None:
    with running("cloudcard", seed=1) as sandbox:
        photos = sandbox.app.state.dataset.photos.values()
        before = {p.id: p.fields["version"] for p in photos}
        result = schemathesis_run(sandbox, tmp_path)
        updated = [p for p in photos if p.fields["version"] > before[p.id]]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Failures:" not in result.stdout, result.stdout
    # The one warning allowed: POST /photo "repeatedly returned 404" (random person ids, see above).
    warnings = result.stdout.split("Warnings:", 1)[1].split("Test cases:", 1)[0] if "Warnings:" in result.stdout else ""
    assert all("404" in line for line in warnings.strip().splitlines()), warnings
    assert updated, "no PUT ever reached a real photo"


def test_the_same_run_fails_on_a_drifted_emulator(tmp_path: Path) -> None:
    # Proof that the run above can fail: `width` sent as a string breaks the photo schema.
    with running("cloudcard", seed=1, drift="cloudcard-width-as-string") as sandbox:
        result = schemathesis_run(sandbox, tmp_path)
    assert result.returncode != 0, result.stdout
    assert "Response violates schema" in result.stdout, result.stdout
