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


def _filters_from(args: argparse.Namespace) -> Any:
    from metrics.prepare import Filters

    return Filters(
        teams=tuple(args.team or ()),
        managers=tuple(args.manager or ()),
        regions=tuple(args.region or ()),
        rep_ids=tuple(args.rep or ()),
    )


def cmd_dashboards(args: argparse.Namespace, settings: Settings) -> int:
    """The four dashboards' numbers (contracts §3), for scripts and scheduled reports."""
    from metrics.dashboards import dashboards_json, default_as_of
    from metrics.prepare import prepare

    dataset = _workspace(settings).load_dataset()
    as_of = args.as_of or default_as_of(dataset, date.today())
    result = dashboards_json(prepare(dataset), as_of, _filters_from(args))
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return 0
    sotu = result["state_of_the_union"]
    top = sotu["top_rep"]["rep_id"] if sotu["top_rep"] else "-"
    attainment = "-" if sotu["attainment"] is None else f"{sotu['attainment']:.0%}"
    sys.stdout.write(
        f"As of {result['as_of']} (month {sotu['month']}, month to date):\n"
        f"  closed-won ACV {sotu['closed_won_acv']:,.0f} in {sotu['closed_won_count']} deals; "
        f"quota {sotu['quota']:,.0f}; attainment {attainment}\n"
        f"  open pipeline ACV {sotu['open_pipeline_acv']:,.0f}; top rep {top}\n"
        f"  pipe gen this month {result['daily_pipe_gen']['days'][-1]['cumulative_acv'] if result['daily_pipe_gen']['days'] else 0:,.0f}"
        f" of target {result['daily_pipe_gen']['month_target_acv']:,.0f}\n"
        f"  flagged open deals {len(result['clean_your_room']['flagged'])}\n"
        "Use --json for every number.\n"
    )
    return 0


def _plan_dataset(settings: Settings, as_of: date | None) -> tuple[Any, date]:
    """The workspace's actuals and the as-of date (default: today or the data's last day)."""
    from metrics.dashboards import default_as_of

    dataset = _workspace(settings).load_dataset()
    if dataset.accounts.empty:
        raise CliError("the workspace has no accounts: import a dataset first (python -m app import DIR)")
    return dataset, as_of or default_as_of(dataset, date.today())


def _load_plans(paths: Sequence[str]) -> list[Any]:
    """Every plan file, or exit 2 listing every problem of every bad file."""
    from territory.files import PlanFileError, load_plan

    plans, problems = [], []
    for path in paths:
        try:
            plans.append(load_plan(path))
        except PlanFileError as exc:
            problems.extend(f"{exc.source}: {p}" for p in exc.problems)
    if problems:
        raise CliError("invalid plan file(s):\n" + "\n".join(f"- {p}" for p in problems))
    return plans


def cmd_plan_balance(args: argparse.Namespace, settings: Settings) -> int:
    """Carve balanced territories: the plan JSON on stdout (or --out), a summary on stderr."""
    from territory.balance import balance
    from territory.files import plan_to_json

    dataset, as_of = _plan_dataset(settings, args.as_of)
    try:
        result = balance(dataset, as_of, territories=args.territories, by=args.by)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    text = plan_to_json(result.plan)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    d = result.disruption
    sys.stderr.write(
        f"{result.plan.name}: {len(result.plan.territories)} territories as of {as_of}; "
        f"potential Gini {result.before['gini']:.3f} -> {result.after['gini']:.3f}, "
        f"CV {result.before['cv']:.3f} -> {result.after['cv']:.3f}; "
        f"{d['accounts_moved']} accounts ({d['share_accounts_moved']:.0%}) and "
        f"{d['pipeline_moved_usd']:,.0f} USD open pipeline move from today's ownership"
        + (f"; written to {args.out}" if args.out else "")
        + "\n"
    )
    return 0


def cmd_plan_fairness(args: argparse.Namespace, settings: Settings) -> int:
    """The fairness report of one plan file (territory.fairness.fairness_report)."""
    from territory.commands import fairness_command

    plan = _load_plans([args.plan])[0]
    dataset, as_of = _plan_dataset(settings, args.as_of)
    report = fairness_command(plan, dataset, as_of, tolerance=args.tolerance)
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        return 0
    ratio = "-" if report["max_min_ratio"] is None else f"{report['max_min_ratio']:.2f}"
    sys.stdout.write(
        f"{report['plan']} as of {report['as_of']}: {report['territory_count']} territories, "
        f"Gini {report['gini_potential']:.3f}, CV {report['cv_potential']:.3f}, max/min {ratio}, "
        f"{report['share_within_tolerance']:.0%} within ±{report['tolerance']:.0%} of the mean "
        f"({report['mean_potential_usd']:,.0f} USD); {report['unassigned_accounts']} unassigned accounts.\n"
        "Use --json for every number.\n"
    )
    return 0


def cmd_plan_compare(args: argparse.Namespace, settings: Settings) -> int:
    """2-4 plans side by side: fairness, disruption from the first, simulated outcomes."""
    from territory.outcomes import compare_plans

    if not 2 <= len(args.plans) <= 4:
        raise CliError(f"compare 2 to 4 plan files, got {len(args.plans)}")
    plans = _load_plans(args.plans)
    if len({p.name for p in plans}) != len(plans):
        raise CliError("compared plans need distinct names (the \"name\" field of each file)")
    dataset, as_of = _plan_dataset(settings, args.as_of)
    result = compare_plans(
        plans, dataset, as_of, args.replications, args.seed, args.workers, horizon_months=args.months
    )
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return 0
    sys.stdout.write(
        f"As of {result['as_of']}, {result['horizon_months']} months, "
        f"{result['replications']} replications (seed {result['seed']}), baseline {result['baseline']}:\n"
    )
    for p in result["plans"]:
        team = p["outcomes"]["team"]
        acv = team["annual_closed_won_acv"]
        hit = "-" if team["p_hit_quota"] is None else f"{team['p_hit_quota']:.0%}"
        terr = p["fairness"]["outcomes"]["p_hit_annual_quota"]
        sys.stdout.write(
            f"  {p['name']}: Gini {p['fairness']['gini_potential']:.3f}, "
            f"{p['disruption']['accounts_moved']} accounts moved; team ACV P50 {acv['p50']:,.0f} "
            f"(P10 {acv['p10']:,.0f}, P90 {acv['p90']:,.0f}), team quota chance {hit}; "
            f"territories' chance of quota {terr['min']:.0%}-{terr['max']:.0%}; "
            f"expected departures {p['outcomes']['attrition']['expected_departures']:.1f}\n"
        )
    sys.stdout.write("Use --json for every number.\n")
    return 0


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"{value} is out of range (0..{2**32 - 1})")
    return value


def _simulation_dataset(settings: Settings) -> Any:
    dataset = _workspace(settings).load_dataset()
    if dataset.reps.empty or dataset.opportunities.empty:
        raise CliError("the workspace has no reps or opportunities: import a dataset first (python -m app import DIR)")
    return dataset


def cmd_forecast(args: argparse.Namespace, settings: Settings) -> int:
    """Bands for the next N months (contracts §3): CSV on stdout or in --out."""
    from simulation.forecast import forecast

    dataset = _simulation_dataset(settings)
    try:
        bands = forecast(dataset, args.as_of, args.months, replications=args.replications, seed=args.seed, workers=args.workers)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    # Plain UTF-8 with LF for scripts (not the browser download's BOM and CRLF);
    # NaN (attainment without quota) is an empty field.
    text = bands[["month", "scope", "metric", "p10", "p50", "p90", "mean"]].to_csv(index=False, lineterminator="\n", float_format="%.4f")
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        sys.stderr.write(f"Wrote {len(bands)} rows to {args.out}\n")
    else:
        sys.stdout.write(text)
    return 0


def cmd_backtest(args: argparse.Namespace, settings: Settings) -> int:
    """Calibrate at --train-end, simulate N months, score team closed-won ACV on the actuals."""
    from simulation.forecast import backtest

    dataset = _simulation_dataset(settings)
    try:
        result = backtest(dataset, args.train_end, args.months, replications=args.replications, seed=args.seed, workers=args.workers)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        sys.stdout.write(json.dumps(result) + "\n")
        return 0
    mape = "-" if result["mape_p50"] is None else f"{result['mape_p50']:.0%}"
    sys.stdout.write(
        f"Trained to {args.train_end}, {args.months} months: {result['coverage_p10_p90']:.0%} of months' actuals "
        f"within P10-P90, P50 MAPE {mape}.\nUse --json for every number.\n"
    )
    return 0


def _run_options(p: argparse.ArgumentParser) -> None:
    """The Monte Carlo options every simulating command shares."""
    p.add_argument("--replications", type=_positive(5000), default=200, help="1..5000")
    p.add_argument("--seed", type=_seed, default=0)
    p.add_argument("--workers", type=_positive(64), default=1, help="processes for the replications")


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

    p = sub.add_parser("dashboards", help="the four dashboards' numbers")
    p.add_argument("--as-of", type=_date, default=None, help="default: today, or the data's last date")
    p.add_argument("--json", action="store_true", help="print the contract's JSON object")
    for name in ("team", "manager", "region", "rep"):
        p.add_argument(f"--{name}", action="append", help=f"filter by {name} (repeatable)")
    p.set_defaults(func=cmd_dashboards)

    p = sub.add_parser("feed", help="stream demo events into the workspace (live dashboards)")
    p.add_argument("--interval", type=float, default=3.0, help="seconds between ticks")
    p.add_argument("--minutes", type=float, default=30.0, help="simulated minutes per tick")
    p.add_argument("--ticks", type=_positive(1_000_000), default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--url", default="", help="post to a running app instead of the database")
    p.add_argument("--token", default="", help="the app's TP_API_TOKEN, with --url")
    p.set_defaults(func=cmd_feed)
    plan = sub.add_parser("plan", help="territory plans: balance, fairness, compare").add_subparsers(dest="plan_command", required=True)
    p = plan.add_parser("balance", help="carve K balanced territories (plan JSON on stdout or --out)")
    p.add_argument("--territories", type=_positive(1000), required=True)
    p.add_argument("--by", choices=["account", "state", "region", "industry"], default="account", help="units kept together")
    p.add_argument("--out", default="", help="write the plan JSON here instead of stdout")
    p.add_argument("--as-of", type=_date, default=None, help="default: today, or the data's last date")
    p.set_defaults(func=cmd_plan_balance)
    p = plan.add_parser("fairness", help="a plan file's fairness (Gini, max/min, CV of potential)")
    p.add_argument("plan")
    p.add_argument("--as-of", type=_date, default=None)
    p.add_argument("--tolerance", type=float, default=0.15, help="balance band around the mean (0.15 = ±15%%)")
    p.add_argument("--json", action="store_true", help="print the whole report as JSON")
    p.set_defaults(func=cmd_plan_fairness)
    p = plan.add_parser("compare", help="2-4 plan files side by side, with simulated outcomes")
    p.add_argument("plans", nargs="+", metavar="PLAN.json")
    _run_options(p)
    p.add_argument("--months", type=_positive(12), default=12, help="simulation horizon")
    p.add_argument("--as-of", type=_date, default=None)
    p.add_argument("--json", action="store_true", help="print the whole comparison as JSON")
    p.set_defaults(func=cmd_plan_compare)

    p = sub.add_parser("forecast", help="simulate the next N months from the actuals (CSV of bands)")
    p.add_argument("--as-of", type=_date, required=True)
    p.add_argument("--months", type=_positive(36), required=True, help="1..36")
    _run_options(p)
    p.add_argument("--out", default="", help="write the CSV here instead of stdout")
    p.set_defaults(func=cmd_forecast)

    p = sub.add_parser("backtest", help="calibrate at a past date and score the forecast on the actuals")
    p.add_argument("--train-end", type=_date, required=True)
    p.add_argument("--months", type=_positive(36), required=True, help="1..36")
    _run_options(p)
    p.add_argument("--json", action="store_true", help="print the contract's JSON object")
    p.set_defaults(func=cmd_backtest)

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
