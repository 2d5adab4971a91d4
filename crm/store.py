"""The workspace store: the canonical tables in a real database, through SQLAlchemy.

Why this shape:
- one transaction per write, so a refused or failed import leaves the stored data
  exactly as it was;
- a ``data_version`` counter bumped by every write, so caches and live pages can ask
  "has anything changed?" with one cheap query instead of recomputing;
- a generic ``documents`` table for JSON documents the app saves (scenarios, plans,
  snapshots, the decision log), so features do not each need a migration.

SQLite (the embedded default) runs in WAL mode with foreign keys on; PostgreSQL is
selected with an SQLAlchemy URL such as ``postgresql+psycopg://user@host/db``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from crm.dataset import Dataset, coerce_frame
from crm.schema import TABLES, TABLES_BY_NAME, Kind, Table

_SA_TYPES = {
    Kind.ID: lambda: sa.String(255),
    Kind.TEXT: lambda: sa.Text(),
    Kind.ENUM: lambda: sa.String(64),
    Kind.MONTH: lambda: sa.String(7),
    Kind.DATE: lambda: sa.Date(),
    Kind.DECIMAL: lambda: sa.Float(),
    Kind.INT: lambda: sa.BigInteger(),
    Kind.BOOL: lambda: sa.Boolean(),
}

log = logging.getLogger(__name__)

metadata = sa.MetaData()


def _build_table(spec: Table) -> sa.Table:
    cols: list[sa.Column] = []
    if not spec.key:
        cols.append(sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True))
    for c in spec.columns:
        cols.append(
            sa.Column(
                c.name,
                _SA_TYPES[c.kind](),
                primary_key=c.name in spec.key,
                nullable=not c.required and c.name not in spec.key,
            )
        )
    indexes = []
    for c in spec.columns:
        if c.references or c.kind == Kind.DATE:
            indexes.append(sa.Index(f"ix_{spec.name}_{c.name}", c.name))
    return sa.Table(spec.name, metadata, *cols, *indexes)


CANONICAL: dict[str, sa.Table] = {t.name: _build_table(t) for t in TABLES}

meta_table = sa.Table(
    "workspace_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

imports_table = sa.Table(
    "imports",
    metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("data_version", sa.Integer, nullable=False),
    sa.Column("report", sa.Text, nullable=False),  # JSON: counts, warnings, encodings
)

quarantine_table = sa.Table(
    "quarantine",
    metadata,
    sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("record", sa.Text, nullable=False),  # JSON of the original row
)

documents_table = sa.Table(
    "documents",
    metadata,
    sa.Column("doc_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("kind", "name", name="uq_documents_kind_name"),
)

# Insert order respects references; delete order is the reverse.
_LOAD_ORDER = ("reps", "accounts", "opportunities", "activities", "opportunity_history", "quotas")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _column_values(frame: pd.DataFrame, spec: Table, *, iso_dates: bool) -> list[list[Any]]:
    """Each canonical column as a list of DB-ready values, converted column-wise.

    Vectorised because bulk loads of millions of rows spend most of their time here:
    dates become ``YYYY-MM-DD`` text (``iso_dates``, SQLite's storage format for
    SQLAlchemy's Date) or ``date`` objects, nulls become None, flags 0/1 or bool.
    """
    out: list[list[Any]] = []
    for c in spec.columns:
        s = frame[c.name]
        missing = s.isna().to_numpy()
        if c.kind == Kind.DATE:
            if iso_dates:
                values = s.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
            else:
                values = s.dt.date.to_numpy(dtype=object)
        elif c.kind == Kind.INT:
            values = s.to_numpy(dtype=object, na_value=None)
            values = np.array([None if v is None else int(v) for v in values], dtype=object)
        elif c.kind == Kind.DECIMAL:
            values = s.to_numpy(dtype="float64").astype(object)
        elif c.kind == Kind.BOOL:
            flags = s.to_numpy(dtype=bool)
            values = flags.astype(np.int64).astype(object) if iso_dates else flags.astype(object)
            missing = np.zeros(len(s), dtype=bool)
        else:
            values = s.to_numpy(dtype=object)
        if missing.any():
            values = values.copy()
            values[missing] = None
        out.append(values.tolist())
    return out


def _records(frame: pd.DataFrame, spec: Table) -> list[dict[str, Any]]:
    """DataFrame rows as DB-ready dicts (None for nulls, date objects for dates)."""
    cols: dict[str, list[Any]] = {}
    for c in spec.columns:
        s = frame[c.name]
        if c.kind == Kind.DATE:
            values = [None if pd.isna(v) else v.date() for v in s]
        elif c.kind == Kind.INT:
            values = [None if pd.isna(v) else int(v) for v in s]
        elif c.kind == Kind.DECIMAL:
            values = [None if pd.isna(v) else float(v) for v in s.to_numpy()]
        elif c.kind == Kind.BOOL:
            values = [bool(v) for v in s.to_numpy()]
        else:
            values = [None if pd.isna(v) else str(v) for v in s.to_numpy(dtype=object)]
        cols[c.name] = values
    names = list(cols)
    return [dict(zip(names, row, strict=True)) for row in zip(*cols.values(), strict=True)]


class Workspace:
    """One workspace database. Cheap to construct; opens nothing until first use."""

    def __init__(self, url: str, snapshot_dir: Path | None = None) -> None:
        self.url = url
        self.snapshot_dir = snapshot_dir
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._cached: tuple[int, Dataset] | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
            metadata.create_all(self._engine)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- version ---------------------------------------------------------------
    def data_version(self) -> int:
        """The counter bumped by every write: 0 for a workspace never written."""
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == "data_version")
            ).scalar()
        return int(value) if value is not None else 0

    @staticmethod
    def _bump(conn: Connection) -> int:
        current = conn.execute(
            sa.select(meta_table.c.value).where(meta_table.c.key == "data_version")
        ).scalar()
        new = (int(current) if current is not None else 0) + 1
        if current is None:
            conn.execute(sa.insert(meta_table).values(key="data_version", value=str(new)))
        else:
            conn.execute(
                sa.update(meta_table)
                .where(meta_table.c.key == "data_version")
                .values(value=str(new))
            )
        return new

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(CANONICAL["reps"])).scalar() == 0

    # -- writes ----------------------------------------------------------------
    def replace_dataset(
        self,
        dataset: Dataset,
        *,
        source: str,
        fmt: str,
        report: Mapping[str, Any] | None = None,
        quarantine: Iterable[tuple[str, str, Mapping[str, Any]]] = (),
    ) -> int:
        """Replace all actuals with ``dataset`` in one transaction; returns the new version.

        Any failure rolls the whole transaction back, leaving the old data in place.
        """
        with self.engine.begin() as conn:
            for name in reversed(_LOAD_ORDER):
                conn.execute(sa.delete(CANONICAL[name]))
            conn.execute(sa.delete(quarantine_table))
            for name in _LOAD_ORDER:
                frame = getattr(dataset, name)
                if len(frame):
                    self._insert(conn, name, frame)
            q_rows = [
                {"table_name": t, "reason": r, "record": json.dumps(rec, default=str)}
                for t, r, rec in quarantine
            ]
            if q_rows:
                conn.execute(sa.insert(quarantine_table), q_rows)
            version = self._bump(conn)
            conn.execute(
                sa.insert(imports_table).values(
                    imported_at=_now(),
                    source=source,
                    format=fmt,
                    data_version=version,
                    report=json.dumps(dict(report or {}), default=str),
                )
            )
        # The importing process already holds the new data: cache it and write the
        # snapshot now, so the app's next refresh skips reading the database.
        with self._lock:
            self._cached = (version, dataset)
        self._write_snapshot(version, dataset)
        return version

    def _insert(self, conn: Connection, name: str, frame: pd.DataFrame) -> None:
        spec = TABLES_BY_NAME[name]
        table = CANONICAL[name]
        if conn.dialect.name == "postgresql":
            self._copy_postgres(conn, spec, frame)
            return
        if conn.dialect.name == "sqlite":
            # The DBAPI's executemany with plain tuples: SQLAlchemy's per-value bind
            # processing made a 2-million-row load take minutes.
            names = ", ".join(f'"{n}"' for n in spec.column_names)
            marks = ", ".join("?" for _ in spec.column_names)
            sql = f'INSERT INTO "{spec.name}" ({names}) VALUES ({marks})'
            # A big page cache and indexes rebuilt after the load (one sort instead of
            # millions of random B-tree updates spilling to the WAL mid-transaction).
            old_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql("PRAGMA cache_size=-262144")
            rebuild = list(table.indexes) if len(frame) > 100_000 else []
            for index in rebuild:
                index.drop(conn)
            chunk = 200_000
            for start in range(0, len(frame), chunk):
                part = frame.iloc[start : start + chunk]
                rows = list(zip(*_column_values(part, spec, iso_dates=True), strict=True))
                conn.exec_driver_sql(sql, rows)
            for index in rebuild:
                index.create(conn)
            conn.exec_driver_sql(f"PRAGMA cache_size={int(old_cache)}")
            return
        chunk = 50_000
        for start in range(0, len(frame), chunk):
            conn.execute(sa.insert(table), _records(frame.iloc[start : start + chunk], spec))

    @staticmethod
    def _copy_postgres(conn: Connection, spec: Table, frame: pd.DataFrame) -> None:
        """PostgreSQL bulk load through COPY: an order of magnitude faster than INSERT."""
        raw = conn.connection.driver_connection
        names = list(spec.column_names)
        cols = ", ".join(f'"{n}"' for n in names)
        with raw.cursor() as cur, cur.copy(f'COPY "{spec.name}" ({cols}) FROM STDIN') as copy:
            chunk = 200_000
            for start in range(0, len(frame), chunk):
                part = frame.iloc[start : start + chunk]
                for row in zip(*_column_values(part, spec, iso_dates=False), strict=True):
                    copy.write_row(row)

    def upsert_rows(self, frames: Mapping[str, pd.DataFrame]) -> int:
        """Insert or replace rows by primary key, all tables in one transaction.

        Used by the events API: a batch of new or changed opportunities and activities.
        Returns the new data version.
        """
        coerced = {
            name: coerce_frame(TABLES_BY_NAME[name], frame)
            for name, frame in frames.items()
            if frame is not None and len(frame)
        }
        with self.engine.begin() as conn:
            for name in _LOAD_ORDER:
                frame = coerced.get(name)
                if frame is None:
                    continue
                spec = TABLES_BY_NAME[name]
                table = CANONICAL[name]
                if spec.key:
                    key_col = table.c[spec.key[0]]
                    ids = [str(v) for v in frame[spec.key[0]]]
                    for start in range(0, len(ids), 500):
                        conn.execute(sa.delete(table).where(key_col.in_(ids[start : start + 500])))
                conn.execute(sa.insert(table), _records(frame, spec))
            version = self._bump(conn)
        self._merge_into_cache(version, coerced)
        return version

    def _merge_into_cache(self, version: int, frames: Mapping[str, pd.DataFrame]) -> None:
        """Apply a committed upsert to this process's cached dataset.

        A live feed writes small batches into a large workspace; merging them here
        keeps the next page refresh at milliseconds instead of reloading millions of
        rows. Only when the cache holds exactly the version before this write.
        """
        with self._lock:
            if self._cached is None or self._cached[0] != version - 1:
                return
            tables = self._cached[1].tables()
            for name, frame in frames.items():
                spec = TABLES_BY_NAME[name]
                old = tables[name]
                if spec.key:
                    key = spec.key[0]
                    old = old[~old[key].isin(frame[key])]
                tables[name] = pd.concat([old, frame], ignore_index=True)
            self._cached = (version, Dataset(**tables))

    # -- reads -----------------------------------------------------------------
    def load_dataset(self) -> Dataset:
        """All canonical tables as a Dataset, cached per data version.

        Three levels, cheapest first: this object's last load, a Parquet snapshot of the
        version (when a snapshot folder is set; shared by every process on the machine),
        then the database itself, read through the raw DB-API cursor so dates are parsed
        in one vectorised step instead of one Python object per cell.
        """
        with self._lock:
            version = self.data_version()
            if self._cached is not None and self._cached[0] == version:
                return self._cached[1]
            dataset = self._read_snapshot(version)
            if dataset is None:
                dataset = self._read_database()
                self._write_snapshot(version, dataset)
            self._cached = (version, dataset)
            return dataset

    def _read_database(self) -> Dataset:
        frames: dict[str, pd.DataFrame] = {}
        raw = self.engine.raw_connection()
        try:
            for spec in TABLES:
                cols = ", ".join(f'"{n}"' for n in spec.column_names)
                cursor = raw.cursor()
                cursor.execute(f'SELECT {cols} FROM "{spec.name}"')
                rows = cursor.fetchall()
                cursor.close()
                frames[spec.name] = pd.DataFrame.from_records(rows, columns=list(spec.column_names))
        finally:
            raw.close()
        return Dataset.from_frames(frames)

    def _snapshot_path(self, version: int) -> Path | None:
        if self.snapshot_dir is None:
            return None
        tag = hashlib.sha256(self.url.encode()).hexdigest()[:12]
        return self.snapshot_dir / f"workspace-{tag}-v{version}"

    def _read_snapshot(self, version: int) -> Dataset | None:
        path = self._snapshot_path(version)
        if path is None or not (path / "done").exists():
            return None
        try:
            frames = {spec.name: pd.read_parquet(path / f"{spec.name}.parquet") for spec in TABLES}
        except (OSError, ValueError):
            return None
        return Dataset.from_frames(frames)

    def _write_snapshot(self, version: int, dataset: Dataset) -> None:
        """Best effort: a snapshot that cannot be written only costs speed later."""
        path = self._snapshot_path(version)
        if path is None or (path / "done").exists():
            return
        try:
            path.mkdir(parents=True, exist_ok=True)
            for name, frame in dataset.tables().items():
                frame.to_parquet(path / f"{name}.parquet", index=False)
            (path / "done").write_text(str(version))
            for old in path.parent.glob(path.name.rsplit("-v", 1)[0] + "-v*"):
                if old != path:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            log.warning("could not write the workspace snapshot %s: %s", path, exc)

    def imports(self, limit: int = 20) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(imports_table).order_by(imports_table.c.import_id.desc()).limit(limit)
            ).mappings()
            return [dict(r) | {"report": json.loads(r["report"])} for r in rows]

    def quarantine(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(quarantine_table)).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=["row_id", "table_name", "reason", "record"])

    # -- documents -------------------------------------------------------------
    def save_document(self, kind: str, name: str, payload: Mapping[str, Any]) -> int:
        """Create or overwrite the document ``name`` of ``kind``; returns its id."""
        text = json.dumps(payload, default=str, sort_keys=True)
        now = _now()
        with self.engine.begin() as conn:
            existing = conn.execute(
                sa.select(documents_table.c.doc_id).where(
                    documents_table.c.kind == kind, documents_table.c.name == name
                )
            ).scalar()
            if existing is not None:
                conn.execute(
                    sa.update(documents_table)
                    .where(documents_table.c.doc_id == existing)
                    .values(payload=text, updated_at=now)
                )
                return int(existing)
            result = conn.execute(
                sa.insert(documents_table).values(
                    kind=kind, name=name, payload=text, created_at=now, updated_at=now
                )
            )
            return int(result.inserted_primary_key[0])

    def list_documents(self, kind: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    documents_table.c.doc_id,
                    documents_table.c.name,
                    documents_table.c.created_at,
                    documents_table.c.updated_at,
                )
                .where(documents_table.c.kind == kind)
                .order_by(documents_table.c.name)
            ).mappings()
            return [dict(r) for r in rows]

    def get_document(self, kind: str, name: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            text = conn.execute(
                sa.select(documents_table.c.payload).where(
                    documents_table.c.kind == kind, documents_table.c.name == name
                )
            ).scalar()
        return None if text is None else json.loads(text)

    def delete_document(self, kind: str, name: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                sa.delete(documents_table).where(
                    documents_table.c.kind == kind, documents_table.c.name == name
                )
            )
        return result.rowcount > 0
