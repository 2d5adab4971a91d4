"""The Data page: validate an upload, import it, summarise and browse the workspace."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from dash import Input, Output, State, dcc, no_update

from app.services import Services
from crm.browse import query_rows
from crm.summary import summarize
from layouts import data as view
from layouts.i18n import t
from layouts.ids import Data, Shell


def decode_upload(contents: Sequence[str] | None, names: Sequence[str] | None) -> dict[str, bytes]:
    """dcc.Upload's data URLs as {file name: bytes}; raises ValueError on a bad payload."""
    files: dict[str, bytes] = {}
    for content, name in zip(contents or [], names or [], strict=False):
        _, _, payload = content.partition(",")
        try:
            files[name] = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"{name}: not a readable file ({exc})") from exc
    return files


def validation_report(files: dict[str, bytes], fmt: str) -> dict[str, Any]:
    """Run the importer without storing anything: the report the page shows."""
    from crm.importers import import_files

    result = import_files(files, fmt)
    report: dict[str, Any] = {
        "format": result.format,
        "errors": [str(p) for p in result.errors],
        "warnings": [str(w) for w in result.warnings],
        "encodings": dict(result.encodings),
    }
    if result.dataset is not None:
        report["counts"] = result.dataset.counts()
    return report


def import_upload(services: Services, files: dict[str, bytes], fmt: str) -> int:
    """Validate and store in one transaction; raises ValueError listing problems."""
    from crm.importers import import_files, store_import

    result = import_files(files, fmt)
    if result.errors:
        raise ValueError("; ".join(str(p) for p in result.errors[:5]))
    return store_import(services.workspace, result, source=", ".join(sorted(files)))


def table_csv(frame: Any, request: dict[str, Any] | None) -> bytes:
    """The whole table as the grid shows it (its filter and sort), formula-safe CSV."""
    from crm.browse import filter_frame, sort_frame
    from crm.export import to_csv_bytes

    request = request or {}
    view = sort_frame(filter_frame(frame, request.get("filterModel")), request.get("sortModel"))
    return to_csv_bytes(view)


def workspace_summary(services: Services) -> dict[str, Any]:
    version = services.version()

    def compute() -> dict[str, Any]:
        return summarize(services.dataset(), version, quarantined=len(services.workspace.quarantine()))

    return services.cached("workspace-summary", {}, compute)


def register(app: Any, services: Services) -> None:
    @app.callback(
        Output(Data.FILES, "children"),
        Output(Data.REPORT, "children"),
        Output(Data.IMPORT, "disabled"),
        Input(Data.UPLOAD, "contents"),
        Input(Data.FORMAT, "value"),
        State(Data.UPLOAD, "filename"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _validate(contents: list[str] | None, fmt: str, names: list[str] | None, lang: str) -> tuple[Any, ...]:
        if not contents:
            return t("data.no_files", lang), None, True
        listing = t("data.files", lang, names=", ".join(names or []))
        try:
            report = validation_report(decode_upload(contents, names), fmt)
        except ValueError as exc:
            return listing, view.report_view(lang, {"errors": [t("data.report.bad_upload", lang, error=exc)]}), True
        return listing, view.report_view(lang, report), bool(report["errors"])

    @app.callback(
        Output(Data.STATUS, "children"),
        Output(Shell.VERSION, "data", allow_duplicate=True),
        Input(Data.IMPORT, "n_clicks"),
        State(Data.UPLOAD, "contents"),
        State(Data.UPLOAD, "filename"),
        State(Data.FORMAT, "value"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _import(_clicks: int, contents: list[str] | None, names: list[str] | None, fmt: str, lang: str) -> tuple[Any, ...]:
        if not _clicks:  # a re-rendered page re-inserts the button; only a click imports
            return no_update, no_update
        try:
            version = import_upload(services, decode_upload(contents, names), fmt)
        except ValueError as exc:
            return view.alert(t("data.import_failed", lang, error=exc), "danger"), no_update
        return view.alert(t("data.imported", lang, version=version), "success"), version

    @app.callback(
        Output(Data.SUMMARY, "children"),
        Output(Data.HISTORY, "children"),
        Input(Shell.VERSION, "data"),
        Input(Shell.LANG, "data"),
    )
    def _summary(_version: int | None, lang: str) -> tuple[Any, ...]:
        return view.summary_view(lang, workspace_summary(services)), view.history_view(lang, services.workspace.imports(5))

    @app.callback(
        Output(Data.GRID_WRAP, "children"),
        Output(Shell.VIEW_QUERY, "data", allow_duplicate=True),
        Input(Data.TABLE, "value"),
        prevent_initial_call=True,
    )
    def _table(table: str) -> tuple[Any, str]:
        return view.grid(table), urlencode({"table": table})

    @app.callback(
        Output(Data.DOWNLOAD, "data"),
        Input(Data.EXPORT, "n_clicks"),
        State(Data.TABLE, "value"),
        State(Data.GRID, "getRowsRequest"),
        prevent_initial_call=True,
    )
    def _export(clicks: int | None, table: str, request: dict[str, Any] | None) -> Any:
        if not clicks:
            return no_update
        data = table_csv(getattr(services.dataset(), table), request)
        return dcc.send_bytes(data, f"{table}-v{services.version()}.csv", type="text/csv")

    @app.callback(
        Output(Data.GRID, "getRowsResponse"),
        Input(Data.GRID, "getRowsRequest"),
        State(Data.TABLE, "value"),
    )
    def _rows(request: dict[str, Any] | None, table: str) -> Any:
        if not request:
            return no_update
        frame = getattr(services.dataset(), table)
        rows, count = query_rows(
            frame,
            request.get("startRow", 0),
            request.get("endRow", 100),
            request.get("sortModel"),
            request.get("filterModel"),
        )
        return {"rowData": rows, "rowCount": count}
