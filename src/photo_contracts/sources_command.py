"""`photo-contracts sources diff API REF NEW_FILE` and `photo-contracts sources status [--api NAME]`.

`diff` reads a freshly saved copy of the vendor document the contract's marks call REF and says
which promises lost their words, which values and examples changed, what the tables say now
(`sources_diff`, `sources_openapi`); exit 1 when a gating promise lost its source or the contract
rejects a new example, 0 otherwise, 2 on bad input. `status` says, per API, how many promises are
sourced and assumed, each source copy's SHA-256 and date, and the weak anchors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photo_contracts.apis import APIS, contracts_from
from photo_contracts.errors import ToolError, did_you_mean

if TYPE_CHECKING:
    from photo_contracts.sources_diff import Report

DIFF_FORMATS = ("md", "html", "json")
STATUS_FORMATS = ("md", "json")

MANIFEST = "manifest.json"
NOT_SOURCES = {"README.md", "__init__.py", MANIFEST}
SHORTEST = 5  # shortest quotes listed per API


def _sources_dir() -> Path:
    return Path(str(resources.files("photo_contracts.sources")))


def copy_of(ref: str) -> Path | None:
    """The copy of a vendor document in sources/, by the name marks cite it with."""
    for path in sorted(_sources_dir().glob(f"{ref}.*")):
        if path.name not in NOT_SOURCES:
            return path
    return None


def manifest() -> dict[str, Any]:
    """sources/manifest.json: per copy, when it was taken and its SHA-256 then."""
    try:
        data = json.loads((_sources_dir() / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("copies", {}) if isinstance(data, dict) else {}


def check_api(api: str) -> str:
    names = list(APIS)
    if api not in names:
        raise ToolError(f"unknown API {api!r}; {did_you_mean(api, names, n=3, cutoff=0.5)}"
                        f"valid names: {', '.join(names)}")
    return api


def check_ref(api: str, ref: str) -> Path | None:
    """The copy in sources/ of a document `api` cites (None when there is none); a ToolError naming the nearest
    documents it cites otherwise."""
    from photo_contracts.citations import cited_refs
    from photo_contracts.provenance import STANDARDS

    refs = cited_refs(api)
    if ref in STANDARDS:
        raise ToolError(f"{ref!r} is a standard the suite cites ({STANDARDS[ref]}), not a vendor document; "
                        f"{api} cites: {', '.join(refs)}")
    if ref not in refs:
        raise ToolError(f"{api} cites no vendor document {ref!r}; {did_you_mean(ref, refs, n=3, cutoff=0.5)}"
                        f"documents {api} cites: {', '.join(refs)}")
    return copy_of(ref)


def compare(api: str, ref: str, new_file: str, old_file: str | None = None) -> Report:
    """The report of one new copy of `ref` against `api`'s promises."""
    from photo_contracts.citations import promises
    from photo_contracts.contracts import contract_path
    from photo_contracts.sources_diff import Report, table_entries, text_entries
    from photo_contracts.sources_examples import example_entries
    from photo_contracts.sources_openapi import openapi_entries
    from photo_contracts.vendor_docs import read

    check_api(api)
    stored = check_ref(api, ref)
    if stored is None and not old_file:
        raise ToolError(f"no copy of {ref!r} in sources/ to compare with (give the old copy with --old FILE)")
    old_path = Path(old_file) if old_file else stored
    assert old_path is not None
    openapi = old_path.suffix in (".json", ".yaml", ".yml")
    old = read(old_path, openapi=openapi, label=old_file or f"sources/{old_path.name}")
    new = read(new_file, openapi=openapi)
    report = Report(api, ref, old, new, str(contract_path(api)))
    cited = promises(api, ref)
    if openapi:
        openapi_entries(report, cited)
    else:
        text_entries(report, cited)
        example_entries(report, old.examples, new.examples)
        table_entries(report)
    report.sort()
    return report


def _write(text: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ToolError(f"cannot write {output}: {exc.strerror}") from None


# -- status -------------------------------------------------------------------------------------------------

def _sha256(path: Path | None) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None


def status(api: str) -> dict[str, Any]:
    from photo_contracts.citations import cited_refs, marks, promises
    from photo_contracts.contracts import contract_path
    from photo_contracts.vendor_docs import read

    check_api(api)
    every = marks(api)
    in_module = [m for m in every if m.location.line is not None]
    in_documents = [m for m in every if m.location.line is None]
    refs = cited_refs(api)
    recorded = manifest()
    sources, weak_quotes, repeated, positional = [], [], [], []
    for ref in refs:
        path = copy_of(ref)
        digest = _sha256(path)
        entry = recorded.get(ref) or {}
        cited = promises(api, ref)
        sources.append({"ref": ref, "file": path.name if path else None, "sha256": digest,
                        "taken": entry.get("taken"), "manifest_matches": entry.get("sha256") == digest,
                        "promises": len(cited)})
        document = read(path, openapi=path.suffix == ".json") if path is not None else None
        for promise in cited:
            where = [location.where for location in promise.locations]
            quote = " ".join(promise.source.quote.split())
            if quote:
                weak_quotes.append({"ref": ref, "quote": quote, "length": len(quote), "where": where})
                count = document.words.count(quote) if document is not None else 0
                if count > 1:
                    repeated.append({"ref": ref, "quote": quote, "count": count, "where": where})
            pointer = promise.source.pointer or ""
            if re.search(r"/\d+(/|$)", pointer):
                positional.append({"ref": ref, "pointer": pointer, "where": where})
    weak_quotes.sort(key=lambda q: (q["length"], q["quote"]))
    return {
        "api": api, "contract": str(contract_path(api)),
        "marks": {"documented": sum(m.source.documented for m in every),
                  "assumed": sum(not m.source.documented for m in every),
                  "contract": {"documented": sum(m.source.documented for m in in_documents),
                               "assumed": sum(not m.source.documented for m in in_documents)},
                  "module": {"documented": sum(m.source.documented for m in in_module),
                             "assumed": sum(not m.source.documented for m in in_module)}},
        "sources": sources,
        "weak_anchors": {"shortest": weak_quotes[:SHORTEST], "repeated": repeated, "positional": positional},
    }


# -- the command line -----------------------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("A vendor's page changed: which promises of the contract lost their words (diff), "
                          "and how the contract's sources stand (status).")
    commands = parser.add_subparsers(dest="sources_command", required=True, metavar="diff|status")
    diff = commands.add_parser(
        "diff", help="compare a new copy of a vendor document with the promises that cite it",
        description="NEW_FILE: the vendor document REF as saved now (text, Markdown, HTML from a browser; JSON or "
                    "YAML for an OpenAPI). Exit 1 when a promise the gate relies on lost its words or the contract "
                    "rejects a new example, 0 otherwise (cosmetic edits, new prose), 2 on bad input.")
    diff.add_argument("api", metavar="API", help=", ".join(APIS))
    diff.add_argument("ref", metavar="REF", help="the source as marks cite it, e.g. cloudcard-get-photo-list")
    diff.add_argument("new_file", metavar="NEW_FILE", help="the new copy")
    diff.add_argument("--format", choices=DIFF_FORMATS, default="md", help="default: md")
    diff.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    diff.add_argument("--old", metavar="FILE", help="the old copy (default: the one in sources/)")
    diff.add_argument("--contract", metavar="PATH", help="judge by this contract of API (e.g. your edited copy)")
    diff.set_defaults(sources_handler=_diff)
    state = commands.add_parser("status", help="sourced and assumed promises, source copies, weak anchors")
    state.add_argument("--api", action="append", metavar="NAME", help="API (repeatable; default: every registered API)")
    state.add_argument("--format", choices=STATUS_FORMATS, default="md", help="default: md")
    state.add_argument("--output", metavar="FILE", help="write the status here instead of stdout")
    state.set_defaults(sources_handler=_status)


def _diff(args: argparse.Namespace) -> int:
    from photo_contracts.sources_report import FORMATS

    chosen = {check_api(args.api): args.contract} if args.contract else {}
    if args.contract and not Path(args.contract).is_file():
        raise ToolError(f"--contract {args.contract}: no such file")
    with contracts_from(chosen):
        report = compare(args.api, args.ref, args.new_file, args.old)
        _write(FORMATS[args.format](report), args.output)
    return report.exit_code


def _status(args: argparse.Namespace) -> int:
    from photo_contracts.sources_report import STATUS_RENDERERS

    apis = [check_api(name) for name in (args.api or list(APIS))]
    _write(STATUS_RENDERERS[args.format]([status(api) for api in apis]), args.output)
    return 0


def main(args: argparse.Namespace) -> int:
    return int(args.sources_handler(args))
