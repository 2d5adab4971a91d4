"""The app's wiring: unique ids, every callback's inputs and outputs exist in the layout."""

from __future__ import annotations

from collections import Counter

from dash import html

from app import create_app
from layouts.i18n import LANGS, catalog
from layouts.ids import all_ids
from layouts.pages import PAGES


def _layout_ids(component, found: list[str]) -> list[str]:
    cid = getattr(component, "id", None)
    if isinstance(cid, str):
        found.append(cid)
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            _layout_ids(child, found)
    elif children is not None and hasattr(children, "to_plotly_json"):
        _layout_ids(children, found)
    return found


def test_ids_are_unique_and_kebab_case() -> None:
    ids = all_ids()
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all(i == i.lower() and " " not in i and "_" not in i for i in ids)


def test_every_callback_io_exists_in_the_validation_layout(settings) -> None:
    app = create_app(settings)
    present = set(_layout_ids(app.validation_layout, []))
    missing = set()
    for cb in app.callback_map.values():
        for dep in cb["inputs"] + cb.get("state", []):
            cid = dep["id"]
            if isinstance(cid, str) and not cid.startswith("{") and cid not in present:
                missing.add(cid)
    for key in app.callback_map:
        for part in key.strip(".").split("..."):
            cid = part.rsplit(".", 1)[0].lstrip(".")
            if cid and not cid.startswith("{") and cid not in present:
                missing.add(cid)
    assert missing == set()


def test_every_page_renders_in_both_languages(settings) -> None:
    for page in PAGES:
        for lang in LANGS:
            tree = page.layout(lang, {})
            assert isinstance(tree, html.Div | object)
            assert _layout_ids(tree, []) is not None


def test_catalog_is_complete_in_both_languages() -> None:
    for key, texts in catalog().items():
        for lang in LANGS:
            assert texts.get(lang), f"{key} has no {lang} text"


def test_nothing_is_served_in_debug_mode_by_default(settings) -> None:
    app = create_app(settings)
    assert app.server.config["DEBUG"] is False
