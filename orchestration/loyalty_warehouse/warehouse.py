"""The DuckDB warehouse file: connections, the single-writer pipeline lock, and publishing.

DuckDB allows one writer process or many readers, never both. The pipeline therefore holds an
exclusive lock file for the whole run, and reports never read the warehouse itself: they read a
published copy that is swapped in atomically after a successful, checked build.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from .config import Settings

# Evidence's Node driver is DuckDB 1.x; files written in 2.x storage format are unreadable to it.
PUBLISHED_STORAGE_VERSION = "v1.4.0"


class PipelineBusyError(RuntimeError):
    """Another pipeline run holds the warehouse."""


def connect(settings: Settings, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    settings.duckdb_temp_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        str(settings.warehouse_path),
        read_only=read_only,
        config={
            "memory_limit": settings.duckdb_memory_limit,
            "threads": settings.duckdb_threads,
            "temp_directory": str(settings.duckdb_temp_dir),
            "preserve_insertion_order": True,
        },
    )
    return con


_held: dict[Path, int] = {}


@contextlib.contextmanager
def pipeline_lock(settings: Settings, *, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the exclusive pipeline lock, waiting up to `wait_seconds` for a running pipeline.

    Re-entrant within a process: the command line holds it for a whole run and each asset
    takes it again (a no-op then; under `dagster dev` each run's process takes it per asset).
    """
    key = settings.lock_path.resolve()
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    settings.lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
                    raise PipelineBusyError(
                        f"another pipeline run is using the warehouse {settings.warehouse_path} "
                        f"(lock {settings.lock_path} held by {holder}); wait for it to finish "
                        "and run again"
                    ) from None
                time.sleep(0.5)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        _held[key] = 1
        yield
    finally:
        _held.pop(key, None)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def publish_marts(settings: Settings, schemas: tuple[str, ...] = ("marts",)) -> Path:
    """Copy the mart schemas into a new report database and swap it in atomically.

    A failed copy leaves the previous published file untouched: readers see the last good one.
    """
    target = settings.published_path
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    # An in-memory session attaches the warehouse read-only and the new file for writing.
    con = duckdb.connect(config={"memory_limit": settings.duckdb_memory_limit})
    try:
        con.execute(f"attach {_literal(str(settings.warehouse_path))} as wh (read_only)")
        con.execute(
            f"attach {_literal(str(staging))} as pub "
            f"(storage_version '{PUBLISHED_STORAGE_VERSION}')"
        )
        for schema in schemas:
            tables = con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'wh' and table_schema = ? order by table_name",
                [schema],
            ).fetchall()
            con.execute(f"create schema if not exists pub.{_ident(schema)}")
            for (table,) in tables:
                con.execute(
                    f"create table pub.{_ident(schema)}.{_ident(table)} as "
                    f"select * from wh.{_ident(schema)}.{_ident(table)}"
                )
        con.execute("detach wh")
        con.execute("detach pub")
    except Exception:
        staging.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(staging, target)
    return target


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
