"""The Maven Analytics "CRM Sales Opportunities" dataset (MavenTech, 2016-2017).

The dataset is the project's real-world test bed and it lacks several things the
canonical model needs (an opportunity type, an expected close date for open deals,
hire dates, amounts for lost and open deals). Each gap is filled by one documented
assumption (docs/importing.md, "Maven CRM") and reported as a warning with its count,
so a user can see exactly how much of the imported data is assumed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm.importers.parsing import parse_dates, parse_decimals
from crm.importers.problems import Collector
from crm.importers.reading import RawFile, header_key
from crm.importers.validate import SourceTable
from crm.schema import ACCOUNTS, OPPORTUNITIES, REPS

FILES = {
    "pipeline": "sales_pipeline.csv",
    "teams": "sales_teams.csv",
    "accounts": "accounts.csv",
    "products": "products.csv",
}
FILE_HINTS = {
    "reps": "sales_teams.csv",
    "accounts": "accounts.csv",
    "opportunities": "sales_pipeline.csv",
}
REQUIRED_COLUMNS = {
    "pipeline": (
        "opportunity_id",
        "sales_agent",
        "product",
        "account",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
    ),
    "teams": ("sales_agent", "manager", "regional_office"),
    "accounts": (
        "account",
        "sector",
        "revenue",
        "employees",
        "office_location",
        "subsidiary_of",
    ),
    "products": ("product", "sales_price"),
}
STAGES = {
    "Prospecting": ("Prospecting", False, False, "Pipeline"),
    "Engaging": ("Engaging", False, False, "Pipeline"),
    "Won": ("Closed Won", True, True, "Closed"),
    "Lost": ("Closed Lost", True, False, "Omitted"),
}
SECTOR_FIXES = {"technolgy": "technology"}
COUNTRY_FIXES = {"Philipines": "Philippines"}
NO_DEALS_HIRE_DATE = "2016-10-01"


def _find(raws: dict[str, RawFile], file: str) -> RawFile | None:
    for name, raw in raws.items():
        if name.lower() == file:
            return raw
    return None


def _iso(values: np.ndarray) -> pd.Series:
    s = pd.Series(values, dtype="datetime64[ns]")
    return s.dt.strftime("%Y-%m-%d").astype("str")


def _fix(
    s: pd.Series, fixes: dict[str, str], raw: RawFile, header: str, collector: Collector
) -> pd.Series:
    hit = s.isin(list(fixes)).to_numpy()
    if hit.any():
        collector.notice(
            "maven_spelling_fixed",
            f"{raw.name}: {header} misspellings corrected ({', '.join(f'{k} → {v}' for k, v in fixes.items())})",
            int(hit.sum()),
            [
                f"{raw.name}:{int(raw.lines[p])}: {s.iloc[p]}"
                for p in np.flatnonzero(hit)[:5]
            ],
        )
    return s.replace(fixes)


def map_maven(raws: dict[str, RawFile], collector: Collector) -> list[SourceTable]:
    """Map the four Maven files onto reps, accounts and opportunities."""
    found = {key: _find(raws, file) for key, file in FILES.items()}
    ok = True
    for key, raw in found.items():
        if raw is None:
            collector.error(
                FILES[key],
                None,
                "",
                "required file of the Maven CRM dataset is missing",
            )
            ok = False
            continue
        for col in REQUIRED_COLUMNS[key]:
            if raw.find(col) is None:
                collector.error(raw.name, 1, col, "required column is missing")
                ok = False
    if not ok:
        return []
    pipe, teams, accounts, products = (
        found[k] for k in ("pipeline", "teams", "accounts", "products")
    )
    assert (
        pipe is not None
        and teams is not None
        and accounts is not None
        and products is not None
    )
    opps, first_engage = _opportunities(pipe, products, collector)
    return [
        _reps(teams, first_engage, collector),
        _accounts(accounts, collector),
        opps,
    ]


def _reps(teams: RawFile, first_engage: pd.Series, collector: Collector) -> SourceTable:
    agent = teams.column("sales_agent")
    manager = teams.column("manager")
    assert agent is not None and manager is not None
    hire = agent.map(first_engage).astype("str")
    no_deals = (hire.isna() & agent.notna()).to_numpy()
    hire = hire.fillna(NO_DEALS_HIRE_DATE)
    collector.notice(
        "maven_hire_date_assumed",
        "reps: the data has no hire dates; hire_date = the agent's first engage_date "
        f"({NO_DEALS_HIRE_DATE} for agents who own no deals)",
        int(agent.notna().sum()),
    )
    if no_deals.any():
        collector.notice(
            "maven_agents_without_deals",
            f"reps: agents in sales_teams.csv own no deals (hire_date {NO_DEALS_HIRE_DATE})",
            int(no_deals.sum()),
            [
                f"{teams.name}:{int(teams.lines[p])}: {agent.iloc[p]}"
                for p in np.flatnonzero(no_deals)[:5]
            ],
        )
    frame = pd.DataFrame(
        {
            "rep_id": agent,
            "rep_name": agent,
            "team": manager,
            "manager": manager,
            "role": pd.Series("AE", index=agent.index, dtype="str"),
            "hire_date": hire,
            "region": teams.column("regional_office"),
        }
    )
    headers = {
        "rep_id": "sales_agent",
        "rep_name": "sales_agent",
        "team": "manager",
        "manager": "manager",
        "region": "regional_office",
        "hire_date": "engage_date",
    }
    return SourceTable(REPS, teams.name, frame, teams.lines, headers)


def _accounts(raw: RawFile, collector: Collector) -> SourceTable:
    name = raw.column("account")
    revenue = raw.column("revenue")
    assert name is not None and revenue is not None
    millions, bad = parse_decimals(revenue)
    if bad.any():
        rows = np.flatnonzero(bad)
        collector.row_errors(
            rows,
            lambda p: (raw.name, int(raw.lines[p])),
            raw.header_of("revenue"),
            "must be a number",
            revenue.iloc[rows[:1000]].tolist(),
        )
    annual = (
        pd.Series(np.round(millions * 1e6, 2)).astype("str").mask(np.isnan(millions))
    )
    sector = raw.column("sector")
    country = raw.column("office_location")
    assert sector is not None and country is not None
    frame = pd.DataFrame(
        {
            "account_id": name,
            "account_name": name,
            "industry": _fix(sector, SECTOR_FIXES, raw, "sector", collector),
            "country": _fix(country, COUNTRY_FIXES, raw, "office_location", collector),
            "employees": raw.column("employees"),
            "annual_revenue": annual.astype("str"),
            "parent_account_id": raw.column("subsidiary_of"),
        }
    )
    headers = {
        "account_id": "account",
        "account_name": "account",
        "industry": "sector",
        "country": "office_location",
        "employees": "employees",
        "annual_revenue": "revenue",
        "parent_account_id": "subsidiary_of",
    }
    return SourceTable(ACCOUNTS, raw.name, frame, raw.lines, headers)


def _opportunities(
    raw: RawFile, products: RawFile, collector: Collector
) -> tuple[SourceTable, pd.Series]:
    cols = {c: raw.column(c) for c in REQUIRED_COLUMNS["pipeline"]}
    n = len(raw.frame)

    def examples(mask: np.ndarray, col: str) -> list[str]:
        s = cols[col]
        assert s is not None
        return [
            f"{raw.name}:{int(raw.lines[p])}: {col}={s.iloc[p]!s}"
            for p in np.flatnonzero(mask)[:5]
        ]

    stage = cols["deal_stage"]
    product = cols["product"]
    account = cols["account"]
    assert stage is not None and product is not None and account is not None

    # stages
    known_stage = stage.isin(list(STAGES)).to_numpy()
    bad_stage = ~known_stage & stage.notna().to_numpy()
    if bad_stage.any():
        rows = np.flatnonzero(bad_stage)
        collector.row_errors(
            rows,
            lambda p: (raw.name, int(raw.lines[p])),
            raw.header_of("deal_stage"),
            f"must be one of {', '.join(STAGES)}",
            stage.iloc[rows[:1000]].tolist(),
        )
    info = {
        k: pd.Series(stage.map({s: str(v[i]) for s, v in STAGES.items()}), dtype="str")
        for i, k in enumerate(("stage", "is_closed", "is_won", "forecast_category"))
    }
    info["stage"] = info["stage"].fillna(stage)
    info["is_closed"] = info["is_closed"].fillna("False")
    info["is_won"] = info["is_won"].fillna("False")
    is_closed = (info["is_closed"] == "True").to_numpy()
    is_won = (info["is_won"] == "True").to_numpy()

    # products: "GTXPro" in the pipeline is "GTX Pro" in products.csv
    prod_name = products.column("product")
    price_text = products.column("sales_price")
    assert prod_name is not None and price_text is not None
    prices, _bad = parse_decimals(price_text)
    canonical_name = {header_key(p): p for p in prod_name.dropna()}
    price_of = {
        header_key(p): v
        for p, v in zip(prod_name, prices, strict=True)
        if isinstance(p, str)
    }
    keys = product.map(header_key, na_action="ignore")
    normalised = keys.map(canonical_name).astype("str")
    renamed = (normalised.notna() & (normalised != product)).to_numpy()
    if renamed.any():
        collector.notice(
            "maven_product_renamed",
            f"{raw.name}: product names spelled differently from products.csv were normalised "
            "(e.g. GTXPro → GTX Pro)",
            int(renamed.sum()),
            examples(renamed, "product"),
        )
    list_price = keys.map(price_of).to_numpy(dtype="float64", na_value=np.nan)

    # amounts: close_value for won deals, the product's list price otherwise
    close_value, bad_value = parse_decimals(cols["close_value"])
    if bad_value.any():
        rows = np.flatnonzero(bad_value)
        collector.row_errors(
            rows,
            lambda p: (raw.name, int(raw.lines[p])),
            raw.header_of("close_value"),
            "must be a number",
            cols["close_value"].iloc[rows[:1000]].tolist(),
        )
    use_price = ~is_won
    amount = np.where(use_price, list_price, close_value)
    no_price = use_price & np.isnan(list_price) & known_stage
    if no_price.any():
        rows = np.flatnonzero(no_price)
        collector.row_errors(
            rows,
            lambda p: (raw.name, int(raw.lines[p])),
            raw.header_of("product"),
            "unknown product: no list price in products.csv for this open or lost deal's amount",
            product.iloc[rows[:1000]].tolist(),
        )
    collector.notice(
        "maven_amount_from_list_price",
        f"{raw.name}: lost deals have close_value 0 and open deals none; their amount is "
        "the product's sales_price from products.csv",
        int((use_price & known_stage).sum()),
    )

    # dates
    engage = parse_dates(cols["engage_date"]).values
    close = parse_dates(cols["close_date"]).values
    known = np.concatenate([engage[~np.isnat(engage)], close[~np.isnat(close)]])
    as_of = known.max() if len(known) else np.datetime64("NaT", "ns")
    won_cycle = (close - engage)[is_won & ~np.isnat(close) & ~np.isnat(engage)]
    median_cycle = (
        np.timedelta64(int(np.median(won_cycle.astype("int64"))), "ns")
        if len(won_cycle)
        else np.timedelta64(0, "ns")
    )
    median_days = int(median_cycle / np.timedelta64(1, "D"))
    created = engage.copy()
    no_engage = np.isnat(engage) & cols["engage_date"].isna().to_numpy()
    created[no_engage] = as_of
    if no_engage.any():
        collector.notice(
            "maven_created_date_assumed",
            f"{raw.name}: deals with no engage_date (still prospecting) get created_date = "
            f"the last date in the data ({pd.Timestamp(as_of).date()})",
            int(no_engage.sum()),
            examples(no_engage, "opportunity_id"),
        )
    open_ = ~is_closed & known_stage
    expected = created + median_cycle
    close_out = np.where(open_ & np.isnat(close), expected, close)
    collector.notice(
        "maven_expected_close_assumed",
        f"{raw.name}: open deals have no expected close date; close_date = created_date + "
        f"the median won cycle ({median_days} days)",
        int((open_ & np.isnat(close)).sum()),
    )
    no_account = account.isna().to_numpy()
    if no_account.any():
        collector.notice(
            "maven_no_account",
            f"{raw.name}: deals with no account keep a blank account_id",
            int(no_account.sum()),
            examples(no_account, "opportunity_id"),
        )
    collector.notice(
        "maven_type_assumed",
        f"{raw.name}: the data has no opportunity type; every deal imported as New Business",
        n,
    )

    created_text = _iso(created).where(~np.isnat(created), cols["engage_date"])
    close_text = _iso(close_out).where(~np.isnat(close_out), cols["close_date"])
    amount_text = pd.Series(amount).astype("str").mask(np.isnan(amount))
    frame = pd.DataFrame(
        {
            "opportunity_id": cols["opportunity_id"],
            "account_id": account,
            "owner_id": cols["sales_agent"],
            "opportunity_name": normalised.fillna(product),
            "type": pd.Series("New Business", index=raw.frame.index, dtype="str"),
            "stage": info["stage"],
            "amount": amount_text.astype("str"),
            "created_date": created_text.astype("str"),
            "close_date": close_text.astype("str"),
            "is_closed": info["is_closed"],
            "is_won": info["is_won"],
            "forecast_category": info["forecast_category"],
        }
    )
    headers = {
        "opportunity_id": "opportunity_id",
        "account_id": "account",
        "owner_id": "sales_agent",
        "opportunity_name": "product",
        "stage": "deal_stage",
        "amount": "close_value",
        "created_date": "engage_date",
        "close_date": "close_date",
        "is_closed": "deal_stage",
        "is_won": "deal_stage",
        "forecast_category": "deal_stage",
    }
    agent = cols["sales_agent"]
    assert agent is not None
    first_engage = (
        pd.DataFrame({"agent": agent, "engage": engage})
        .dropna()
        .groupby("agent")["engage"]
        .min()
        .dt.strftime("%Y-%m-%d")
    )
    return SourceTable(OPPORTUNITIES, raw.name, frame, raw.lines, headers), first_engage
