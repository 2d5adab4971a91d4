"""Shared helpers for the importer tests: fixture folders as uploaded file dicts."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
MAVEN_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "maven-crm"


def folder_files(name: str) -> dict[str, bytes]:
    """The CSV files of a fixture folder, keyed by file name like a browser upload."""
    return {p.name: p.read_bytes() for p in sorted((FIXTURES / name).glob("*.csv"))}


def quirk(name: str) -> bytes:
    return (FIXTURES / "quirks" / name).read_bytes()
