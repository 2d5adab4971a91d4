"""Interface text in English and Chinese, and numbers and dates formatted per locale.

Why a catalog: every string a user reads comes from one place per area
(``layouts/messages/*.py``), so a missing translation is a test failure rather than a
half-English screen. Numbers follow the architecture's grammar: ``$1.2M`` / ``83%`` /
``2026-06`` in English, ``120万`` / ``83%`` / ``2026年6月`` in Chinese.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from functools import cache
from importlib import import_module
from pkgutil import iter_modules

from babel.numbers import format_decimal, format_percent

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
_BABEL = {"en": "en_US", "zh": "zh_CN"}


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All messages of every module in layouts.messages, merged (keys are unique)."""
    from layouts import messages

    merged: dict[str, dict[str, str]] = {}
    for info in iter_modules(messages.__path__):
        module = import_module(f"layouts.messages.{info.name}")
        for key, texts in module.MESSAGES.items():
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice")
            merged[key] = texts
    return merged


def norm_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, **values: object) -> str:
    """The message ``key`` in ``lang``, with its ``{name}`` fields filled in."""
    texts = catalog()[key]
    text = texts.get(norm_lang(lang)) or texts[DEFAULT_LANG]
    return text.format(**values) if values else text


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def fmt_money(value: float | None, lang: str | None = DEFAULT_LANG, currency: str = "$") -> str:
    """Compact money: $1.2M / $850K in English, $120万 / $1.2亿 in Chinese."""
    if _missing(value):
        return "—"
    v = float(value)
    sign = "-" if v < 0 else ""
    a = abs(v)
    if norm_lang(lang) == "zh":
        if a >= 1e8:
            return f"{sign}{currency}{a / 1e8:.1f}亿"
        if a >= 1e4:
            return f"{sign}{currency}{a / 1e4:.1f}万".replace(".0万", "万")
        return f"{sign}{currency}{a:,.0f}"
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= threshold:
            text = f"{a / threshold:.1f}".removesuffix(".0")
            return f"{sign}{currency}{text}{suffix}"
    return f"{sign}{currency}{a:,.0f}"


def fmt_number(value: float | None, lang: str | None = DEFAULT_LANG, digits: int = 0) -> str:
    if _missing(value):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_BABEL[norm_lang(lang)])


def fmt_pct(value: float | None, lang: str | None = DEFAULT_LANG, digits: int = 0) -> str:
    """A ratio as a percentage (0.83 → 83%)."""
    if _missing(value):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=_BABEL[norm_lang(lang)])


def fmt_month(value: str | date | datetime, lang: str | None = DEFAULT_LANG) -> str:
    """2026-06 in English, 2026年6月 in Chinese."""
    if isinstance(value, str):
        year, month = int(value[:4]), int(value[5:7])
    else:
        year, month = value.year, value.month
    if norm_lang(lang) == "zh":
        return f"{year}年{month}月"
    return f"{year:04d}-{month:02d}"


def fmt_date(value: str | date | datetime | None, lang: str | None = DEFAULT_LANG) -> str:
    """2026-06-05 in English, 2026年6月5日 in Chinese."""
    if value is None or value == "":
        return "—"
    d = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if norm_lang(lang) == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
