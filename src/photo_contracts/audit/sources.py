"""What OLD and NEW are: contract files, `REV:path` git revisions, observation files or directories.

A loader reads documents by path and joins relative `$ref`s, so a contract read from a git
revision resolves its schemas from that same revision, never from the working tree.
"""

from __future__ import annotations

import json
import posixpath
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from photo_contracts.errors import ToolError
from photo_contracts.schema_model import FileLoader, Loader

OBSERVATIONS_FILE = "observations.json"


def parse(text: str, name: str) -> Any:
    """JSON or YAML text as data, or a one-line ToolError naming where it came from."""
    try:
        return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        kind = "JSON" if name.endswith(".json") else "YAML"
        raise ToolError(f"{name} is not valid {kind}: {exc}") from None


def read_file(path: str) -> Any:
    """A document on disk, parsed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ToolError(f"{path}: not a text file (a contract is UTF-8 YAML or JSON)") from None
    return parse(text, path)


class GitLoader:
    """Documents in one git revision (a `schema_model.Loader`); paths are relative to the repository root."""

    def __init__(self, root: str, rev: str, commit: str) -> None:
        self.root, self.rev, self.commit = root, rev, commit

    def join(self, base: str, relative: str) -> str:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), relative))
        if joined.startswith("../") or joined == "..":
            raise ToolError(f"$ref {relative!r} in {self.rev}:{base} leaves the repository")
        return joined

    @cache  # noqa: B019
    def load(self, path: str) -> Any:
        if not _git(self.root, "cat-file", "-e", f"{self.commit}:{path}", check=False)[0]:
            raise ToolError(f"{path} does not exist in revision {self.rev}")
        return parse(_git(self.root, "show", f"{self.commit}:{path}")[1], f"{self.rev}:{path}")


@dataclass
class Input:
    """One side of the audit."""

    label: str  # as given on the command line
    kind: str  # contract | observations
    document: Any
    path: str  # the document's path for its loader (the base of relative $refs)
    loader: Loader


def _git(cwd: str, *args: str, check: bool = True) -> tuple[bool, str]:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except FileNotFoundError:
        raise ToolError("REV:path needs git, and git is not installed") from None
    out = done.stdout.decode("utf-8", errors="replace")
    if check and done.returncode != 0:
        error = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise ToolError(f"git {args[0]} failed: {error[-1] if error else done.returncode}")
    return done.returncode == 0, out


def _git_input(label: str, cwd: str) -> tuple[Any, str, Loader]:
    rev, _, path = label.partition(":")
    if not rev or not path:
        raise ToolError(f"{label!r} is neither a file nor REV:path")
    inside, root = _git(cwd, "rev-parse", "--show-toplevel", check=False)
    if not inside:
        raise ToolError(f"{label!r}: REV:path needs the current directory to be inside a git repository")
    root = root.strip()
    found, commit = _git(cwd, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    if not found:
        raise ToolError(f"{label!r}: unknown git revision {rev!r}")
    if path.startswith(("./", "../")):  # relative to the current directory, as git means it
        prefix = _git(cwd, "rev-parse", "--show-prefix")[1].strip()
        path = posixpath.normpath(posixpath.join(prefix, path))
    loader = GitLoader(root, rev, commit.strip())
    if not _git(root, "cat-file", "-e", f"{loader.commit}:{path}", check=False)[0]:
        raise ToolError(f"{label!r}: {path} does not exist in revision {rev}")
    return loader.load(path), path, loader


def kind_of(document: Any) -> str | None:
    if isinstance(document, dict) and ("openapi" in document or "paths" in document):
        return "contract"
    if isinstance(document, dict) and isinstance(document.get("apis"), dict):
        return "observations"
    return None


def open_input(label: str, cwd: str | None = None) -> Input:
    """Read one side; the kind is told by the content, whatever the file is called."""
    cwd = cwd or str(Path.cwd())
    candidate = Path(cwd, label)
    if candidate.is_dir():
        # A report or recording directory: compared through the observations.json it holds.
        candidate = candidate / OBSERVATIONS_FILE
        if not candidate.is_file():
            raise ToolError(f"{label} is a directory without {OBSERVATIONS_FILE}")
    if candidate.exists():
        path = str(candidate.resolve())
        loader: Loader = FileLoader(read_file)
        document = loader.load(path)
    elif ":" in label:
        document, path, loader = _git_input(label, cwd)
    else:
        raise ToolError(f"{label}: no such file (nor a REV:path git revision)")
    kind = kind_of(document)
    if kind is None:
        raise ToolError(f"{label} is neither an OpenAPI contract nor an {OBSERVATIONS_FILE}")
    return Input(label, kind, document, path, loader)
