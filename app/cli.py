"""The command line (contracts §3): ``python -m app [serve|import|sample|...]``.

Exit codes: 0 success, 2 invalid input (every problem on stderr, nothing stored).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from app.settings import Settings

EXIT_INVALID = 2


class CliError(Exception):
    """A user error: printed on stderr, exit code 2."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _positive(limit: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"{value} is out of range (1..{limit})")
        return value

    return parse


def _workspace(settings: Settings) -> Any:
    from app.services import open_workspace

    return open_workspace(settings)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from app import create_app
    from app.demo import ensure_demo

    app = create_app(settings)
    ensure_demo(app.services.workspace, settings)
    app.run(host=args.host, port=args.port, debug=settings.debug)
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from crm.importers import import_directory, store_import

    path = Path(args.dir)
    if not path.is_dir():
        raise CliError(f"{path}: not a folder")
    result = import_directory(path, args.format)
    if result.errors:
        sys.stderr.write(result.report_text() + "\n")
        return EXIT_INVALID
    version = store_import(_workspace(settings), result, source=str(path.resolve()))
    sys.stdout.write(result.report_text() + f"\nStored as data version {version}.\n")
    return 0


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    from crm.export import write_canonical
    from crm.sample import generate_sample

    dataset = generate_sample(seed=args.seed, reps=args.reps, as_of=args.as_of or date.today())
    paths = write_canonical(dataset, Path(args.out))
    counts = ", ".join(f"{k} {v}" for k, v in dataset.counts().items())
    sys.stdout.write(f"Wrote {len(paths)} files to {args.out}: {counts}\n")
    return 0


def cmd_feed(args: argparse.Namespace, settings: Settings) -> int:
    """The demo live feed: every tick, the next minutes of simulated CRM events.

    Stored through the same validation as ``POST /api/v1/events`` (or posted to a
    running app with --url and --token), so open dashboards move within seconds.
    """
    import time
    import urllib.request
    from datetime import datetime, timedelta

    import numpy as np

    from app.api import store_events
    from crm.livefeed import next_batch

    workspace = _workspace(settings)
    rng = np.random.default_rng(np.random.SeedSequence(args.seed))
    clock = datetime.now()
    for tick in range(args.ticks):
        batch = next_batch(workspace.load_dataset(), clock, rng, minutes=args.minutes)
        if args.url:
            request = urllib.request.Request(
                args.url.rstrip("/") + "/api/v1/events",
                data=json.dumps(batch).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {args.token}"},
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                body = json.loads(response.read())
        else:
            status, body = store_events(workspace, batch)
            if status != 200:
                raise CliError(json.dumps(body))
        sys.stdout.write(f"tick {tick + 1}: {json.dumps(body.get('stored'))} -> data version {body.get('data_version')}\n")
        sys.stdout.flush()
        clock += timedelta(minutes=args.minutes)
        if tick + 1 < args.ticks:
            time.sleep(args.interval)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app", description="Territory Planner")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("serve", help="serve the web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_positive(65535), default=8050)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("import", help="validate and store a dataset (replaces the actuals)")
    p.add_argument("dir")
    p.add_argument("--format", choices=["auto", "canonical", "salesforce", "maven"], default="auto")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("sample", help="write a generated dataset in the canonical format")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--reps", type=_positive(5000), default=40)
    p.add_argument("--as-of", type=_date, default=None)
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("feed", help="stream demo events into the workspace (live dashboards)")
    p.add_argument("--interval", type=float, default=3.0, help="seconds between ticks")
    p.add_argument("--minutes", type=float, default=30.0, help="simulated minutes per tick")
    p.add_argument("--ticks", type=_positive(1_000_000), default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--url", default="", help="post to a running app instead of the database")
    p.add_argument("--token", default="", help="the app's TP_API_TOKEN, with --url")
    p.set_defaults(func=cmd_feed)
    return parser


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not getattr(args, "command", None):
        args = parser.parse_args(["serve", *(argv or [])])
    settings = settings or Settings.from_env()
    try:
        return int(args.func(args, settings))
    except CliError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_INVALID
