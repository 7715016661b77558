"""The command line: `photo-contracts run | drift | audit | sources | learn-usage | sandbox`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from photo_contracts import __version__
from photo_contracts.apis import APIS, get_api
from photo_contracts.config import add_contract_and_jobs, int_range
from photo_contracts.errors import ToolError


def _sandbox(args: argparse.Namespace) -> int:
    from photo_contracts.sandbox import running
    from photo_contracts.sandbox.drift import catalog

    if args.list_drifts:
        apis = [get_api(args.api).name] if args.api else list(APIS)
        for profile in catalog().values():
            if profile.api in apis:
                print(f"{profile.name:<44} {profile.check or '(documented variant)':<34} {profile.description}")
        return 0
    if not args.api:
        raise ToolError("sandbox needs --api NAME (one of: " + ", ".join(APIS) + ")")
    stop = threading.Event()
    for stopping in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stopping, lambda *_: stop.set())
    with running(args.api, drift=args.drift, port=args.port, seed=args.seed, size=args.size,
                 token=args.token, signed_url_ttl=args.signed_url_ttl) as sandbox:
        drift = f" drift={args.drift}" if args.drift else ""
        print(f"{args.api} sandbox: {sandbox.base_url} token={sandbox.token}{drift}", flush=True)
        for kind, values in sandbox.ids.items():  # a few real ids of each kind, to try the API with
            more = f" (+{len(values) - 3} more)" if len(values) > 3 else ""
            print(f"  {kind}: {', '.join(str(v) for v in values[:3]) or '(none)'}{more}", flush=True)
        # A signal the kernel hands to one of the server threads only sets a flag: the main thread runs the
        # handler when it next wakes. Waking twice a second is what makes Ctrl-C and SIGTERM stop the sandbox
        # under load (an untimed wait could sleep through them).
        while not stop.wait(0.5):
            pass
    return 0


def _run(args: argparse.Namespace) -> int:
    from photo_contracts.runner import run

    return run(args)


def target_choice(value: str) -> str:
    """`--target`: sandbox, live or replay:DIR (the directory is checked with the rest of the configuration)."""
    if value in ("sandbox", "live") or (value.startswith("replay:") and len(value) > len("replay:")):
        return value
    raise argparse.ArgumentTypeError(f"expected sandbox, live or replay:DIR, got {value!r}")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="photo-contracts", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Contract tests for third-party photo APIs (CloudCard, VMSAlpha visitor photos, Fulcrum, "
                    "Autodesk ACC Photos):\nmay we upgrade (run), what changed since last night (drift), what differs "
                    "between two versions (audit).",
        epilog="exit codes: 0 conforms, 1 findings, 2 usage or configuration error, 3 inconclusive (the run could "
               "not reach\nwhat it judges; the summary says why), 130 interrupted. "
               "Example: photo-contracts run --api fulcrum")
    top.add_argument("--version", action="version", version=f"photo-contracts {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="check APIs against their contracts and write reports",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check each API against its contract (its sandbox by default, or the live API) and write the "
                    "reports: index.html,\nreport.html, junit.xml, summary.json, summary.md.",
        epilog=f"APIs: {', '.join(APIS)}.\n"
               "exit codes: 0 conforms, 1 findings, 2 usage, configuration or connection error (one line),\n"
               "            3 inconclusive (the run could not reach what it judges; the summary says why), "
               "130 interrupted.\n"
               "examples:\n"
               "  photo-contracts run                                   every API against its sandbox\n"
               "  photo-contracts run --api fulcrum --sandbox-drift fulcrum-thumbnail-truncated\n"
               "  photo-contracts run --api fulcrum --url https://api.fulcrumapp.com/api \\\n"
               "      --header \"X-ApiToken: $FULCRUM_TOKEN\" --ids photo=ID   one live API, no configuration file\n"
               "  photo-contracts run --target live --config live.toml  the live APIs the file names")
    run.add_argument("--api", action="append", metavar="NAME",
                     help=f"API to check, repeatable: {', '.join(APIS)} (default: every registered API; "
                          "with --target live, those --config names)")
    run.add_argument("--target", type=target_choice, metavar="sandbox|live|replay:DIR",
                     help="where the APIs are (default: sandbox; live with --url): the emulators on loopback, the "
                          "live APIs of --config, or a recording answering offline")
    run.add_argument("--config", metavar="FILE",
                     help="TOML configuration: live targets ([API] tables with base_url, token_env), checks, limits "
                          "(default: none)")
    run.add_argument("--url", metavar="URL",
                     help="a live run of one --api without --config: its base URL (implies --target live)")
    run.add_argument("--header", metavar="'NAME: VALUE'",
                     help="with --url: the API's credential header, e.g. 'X-ApiToken: $FULCRUM_TOKEN' (redacted "
                          "everywhere, sent to the URL's origin only)")
    run.add_argument("--ids", action="append", metavar="KIND=ID[,ID]",
                     help="with --url: real ids the run may use, repeatable: photo=..., visitor=..., deleted=..., "
                          "project=... (autodesk), organization=... (cloudcard)")
    run.add_argument("--report-dir", metavar="DIR", default="reports", help="where the reports go (default: reports)")
    run.add_argument("--sandbox-drift", metavar="PROFILE",
                     help="run against a sandbox with this drift profile (list: photo-contracts sandbox "
                          "--list-drifts --api NAME; default: none, the faithful emulators)")
    run.add_argument("--seed", type=int, help="seed for data generation and sandbox datasets (default: 0)")
    run.add_argument("--examples", type=int_range(1), metavar="N",
                     help="generated examples per operation (default: 25 on a sandbox, 5 live)")
    run.add_argument("--allow-writes", action="store_true",
                     help="live runs: also call write and login operations (default: reads only)")
    loudness = run.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true",
                          help="print one line per API with its verdict, then the run's verdict (errors still go "
                               "to stderr)")
    loudness.add_argument("-v", "--verbose", action="count", default=0,
                          help="also print each operation's coverage and every finding in full")
    add_contract_and_jobs(run)
    run.add_argument("--record", metavar="DIR", help="record every exchange (redacted) into DIR, for replay:DIR")
    run.add_argument("--baseline", metavar="FILE",
                     help="accepted findings (JSON, shared with drift): they are shown but do not fail the run")
    run.add_argument("--update-baseline", action="store_true",
                     help="accept every finding of this run into --baseline (then write why in each reason)")
    run.add_argument("--strict", action="store_true",
                     help="assumptions gate too: a failed assumption keeps its check's severity instead of being a notice")
    run.set_defaults(handler=_run)

    from photo_contracts import drift_command
    from photo_contracts.audit import command as audit_command

    drift = commands.add_parser("drift", help="observe an API and compare with the contract and a baseline")
    drift_command.add_arguments(drift)
    drift.set_defaults(handler=drift_command.main)

    audit = commands.add_parser("audit", help="classify what changed between two contracts or two runs")
    audit_command.add_arguments(audit)
    audit.set_defaults(handler=audit_command.main)

    from photo_contracts import sources_command

    sources = commands.add_parser("sources",
                                  help="a new copy of a vendor document against the promises that cite it")
    sources_command.add_arguments(sources)
    sources.set_defaults(handler=sources_command.main)

    from photo_contracts import learn

    learning = commands.add_parser("learn-usage", help="learn what your tests rely on by breaking the sandbox, "
                                                       "one documented field at a time")
    learn.add_arguments(learning)
    learning.set_defaults(handler=learn.main)

    sandbox = commands.add_parser("sandbox", help="serve one API's emulator on loopback")
    sandbox.add_argument("--api", metavar="NAME", help=", ".join(APIS))
    sandbox.add_argument("--port", type=int_range(0, 65535), default=0, help="default: a free port")
    sandbox.add_argument("--drift", metavar="PROFILE", help="apply a drift profile (see --list-drifts)")
    sandbox.add_argument("--list-drifts", action="store_true", help="list drift profiles and exit")
    sandbox.add_argument("--seed", type=int, default=0, help="dataset seed (default: 0)")
    sandbox.add_argument("--size", type=int_range(1), help="dataset size (default: the emulator's)")
    sandbox.add_argument("--token", help="credential to accept (default: a random one)")
    sandbox.add_argument("--signed-url-ttl", type=int_range(1), default=60, metavar="SECONDS", help="default: 60")
    sandbox.set_defaults(handler=_sandbox)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)  # inside the try: whatever the parser meets is one line
        return args.handler(args)
    except ToolError as exc:
        print(f"photo-contracts: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("photo-contracts: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
