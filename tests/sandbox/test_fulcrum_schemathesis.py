"""The real schemathesis CLI, positive mode, every built-in check, against the faithful Fulcrum emulator.

This module is also the schemathesis hooks file of that run (SCHEMATHESIS_HOOKS points at it):
loaded as `_schemathesis_hooks`, it registers real JPEGs for the `image/jpeg` part of the upload
form. Without it schemathesis sends random bytes as `photo[file]`, which the contract does not
promise to accept (the documented input is "the photo file").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from photo_contracts.contracts import contract_path
from photo_contracts.sandbox import running

if __name__ == "_schemathesis_hooks":  # inside the schemathesis process only
    import schemathesis
    from hypothesis import strategies as st

    from photo_contracts.sandbox.images import make_image

    schemathesis.openapi.media_type(
        "image/jpeg",
        st.builds(make_image, st.integers(1, 96), st.integers(1, 96), st.integers(0, 2**16)),
    )

pytestmark = pytest.mark.slow


def test_schemathesis_positive_mode_finds_nothing(tmp_path: Path) -> None:
    with running("fulcrum", seed=7) as sandbox:
        header = "{}: {}".format(*next(iter(sandbox.auth_headers().items())))
        config = tmp_path / "schemathesis.toml"
        # schemathesis 4.32's coverage phase fills every required multipart part that has no
        # registered media type with "" once one part has one (coverage/_operation.py), and calls
        # it positive data. An empty photo[access_key] is not a UUID: it is the documented
        # "access_key not included" case, answered 422. So no coverage phase for the uploads.
        config.write_text('[[operations]]\ninclude-method = "POST"\nphases.coverage.enabled = false\n')
        command = [
            sys.executable, "-m", "schemathesis.cli", "--config-file", str(config),
            "run", str(contract_path("fulcrum")),
            "--url", sandbox.base_url,
            "--mode", "positive",
            "--checks", "all",
            "-H", header,
            # A new connection per request: the sandbox's loopback sockets are not TCP_NODELAY
            # (see the report), and keep-alive would stall every response ~40 ms.
            "-H", "Connection: close",
            "--seed", "20240601",
            "--max-examples", "6",
            "--workers", "1",
            "--report-dir", str(tmp_path),
        ]
        env = dict(os.environ, SCHEMATHESIS_HOOKS=__file__, NO_COLOR="1")
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
        uploads = [p for p in sandbox.app.state.dataset.photos.values() if p.meta["record_id"] is None]
    assert result.returncode == 0, result.stdout + result.stderr
    # The run really uploaded photos (real JPEGs from the hook), not only 4xx answers.
    assert uploads, result.stdout
