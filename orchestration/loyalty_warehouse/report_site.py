"""Build the Evidence report site (reports/) from the published read-only copy of the marts.

Plain Python on purpose (no Dagster import): the Dagster asset, the Makefile and the tests all
call the same functions.

    python -m loyalty_warehouse.report_site install            # node_modules from the lockfile
    python -m loyalty_warehouse.report_site build [--db PATH]  # npm run sources + npm run build
    python -m loyalty_warehouse.report_site definitions        # pages/definitions.md only (npm run dev)

Why some things are done the way they are:
- The database path reaches Evidence as the environment variable
  EVIDENCE_SOURCE__warehouse__filename, which overrides `options.filename` in
  reports/sources/warehouse/connection.yaml. Evidence's DuckDB plugin joins that filename onto
  the source folder (path.join, so even an absolute path gets the folder prefixed), therefore we
  pass a path relative to reports/sources/warehouse/.
- `npm ci` cannot be used here: the package registry this project reaches lacks the other
  platforms' optional binaries (darwin/win32 builds of rollup, duckdb, ...), so the lockfile
  cannot list them and `npm ci` rejects it as "out of sync". We run `npm install --no-save`
  (which installs exactly the locked versions and never rewrites the lockfile) and then check the
  installed tree against package-lock.json ourselves, which is the guarantee `npm ci` gives.
- `evidence build:strict` still exits 0 when a query in a page fails; it only prints
  "<query> | Error in Query! ...". We treat such lines as a failed build.
- The metric definitions page (pages/definitions.md) is generated from docs/metrics.md at every
  build, so the definitions have one source of truth; the pages link to its headings
  (/definitions#<metric>) and the build fails on a link to a heading that does not exist.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
METRICS_DOC = REPO_ROOT / "docs" / "metrics.md"
# Generated at build time from METRICS_DOC (git-ignored): never edit it by hand.
DEFINITIONS_PAGE = Path("pages") / "definitions.md"
SOURCE_NAME = "warehouse"
DB_ENV_VAR = f"EVIDENCE_SOURCE__{SOURCE_NAME}__filename"
INSTALL_TIMEOUT_S = 900
SOURCES_TIMEOUT_S = 300
# Measured ~100 s on 2 cores; generous because CI may run other work at the same time.
BUILD_TIMEOUT_S = 900
# Inside node_modules so deleting node_modules also forgets the install.
STAMP_NAME = ".loyalty-install-stamp"

Log = Callable[[str], None]

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# `evidence sources`: "  <query> ✖ <error>" under "[Processing] <source>".
_SOURCE_HEADER = re.compile(r"^\s*\[Processing\]\s+(\S+)")
_QUERY_FAILED = re.compile(r"^\s*(\S+) ✖ (?:Error: )?(.*)$")
_CONNECT_FAILED = re.compile(r"Error connecting to datasource (\S+): (.*)$")
# `evidence build`: "<query> | Error in Query! <error>".
_PAGE_QUERY_FAILED = re.compile(r"^(\S+) \| Error in Query! (.*)$")


class ReportBuildError(RuntimeError):
    """A step of the report build failed; the message says which step and, when known, where."""

    def __init__(self, step: str, detail: str, output: str = "") -> None:
        super().__init__(f"report site {step} failed: {detail}")
        self.step = step
        self.detail = detail
        self.output = output


@dataclass(frozen=True)
class SiteBuildResult:
    build_dir: Path
    pages: list[str]
    seconds: dict[str, float] = field(default_factory=dict)


# ----------------------------------------------------------------------------- running npm


def _run(
    step: str, cmd: Sequence[str], cwd: Path, env: dict[str, str], timeout_s: float, log: Log
) -> str:
    """Run a command, streaming its output to `log`; return the output or raise ReportBuildError.

    The command gets its own process group so a timeout also ends node's children.
    """
    log(f"report site {step}: {' '.join(cmd)} (in {cwd})")
    try:
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise ReportBuildError(step, f"{cmd[0]} not found: install Node.js 20 and npm") from exc

    lines: list[str] = []

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = _ANSI.sub("", raw.rstrip("\n"))
            lines.append(line)
            if line.strip():
                log(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        reader.join(timeout=5)
        output = "\n".join(lines)
        raise ReportBuildError(step, f"timed out after {timeout_s:.0f} s", output) from None
    reader.join(timeout=30)
    output = "\n".join(lines)
    if proc.returncode != 0:
        raise ReportBuildError(step, explain_failure(step, output, cwd), output)
    return output


def _npm_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # evidence.settings.json already says "no"; this covers a run from another folder.
    env["SEND_ANONYMOUS_USAGE_STATS"] = "no"
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("NO_UPDATE_NOTIFIER", "1")
    env["CI"] = env.get("CI", "true")  # no interactive prompts from npm or Evidence
    env.update(extra or {})
    return env


# ----------------------------------------------------------------------------- explaining failures


def explain_failure(step: str, output: str, reports_dir: Path) -> str:
    """Name the failing source query or page and quote the error line, from Evidence's output."""
    found: list[str] = []
    source = SOURCE_NAME
    for line in output.splitlines():
        if m := _SOURCE_HEADER.match(line):
            source = m.group(1)
        elif m := _CONNECT_FAILED.search(line):
            found.append(f"sources/{m.group(1)}/connection.yaml: {m.group(2).strip()}")
        elif (m := _QUERY_FAILED.match(line)) and m.group(1) != "✖":
            found.append(f"sources/{source}/{m.group(1)}.sql: {m.group(2).strip()}")
        elif m := _PAGE_QUERY_FAILED.match(line.strip()):
            pages = ", ".join(_pages_defining(reports_dir, m.group(1))) or "a page"
            found.append(f"{pages}: query `{m.group(1)}`: {m.group(2).strip()}")
    if found:
        return "; ".join(dict.fromkeys(found))  # dedupe (Evidence repeats some errors)
    errors = [ln.strip() for ln in output.splitlines() if re.search(r"error|\[ ! \]", ln, re.I)]
    tail = errors[-5:] or [ln.strip() for ln in output.splitlines() if ln.strip()][-10:]
    return " | ".join(tail) or f"{step} exited with an error and printed nothing"


def _pages_defining(reports_dir: Path, query_name: str) -> list[str]:
    fence = re.compile(rf"^```sql\s+{re.escape(query_name)}\s*$", re.M)
    pages_dir = reports_dir / "pages"
    return sorted(
        str(p.relative_to(reports_dir))
        for p in pages_dir.rglob("*.md")
        if fence.search(p.read_text())
    )


# ----------------------------------------------------------------------------- node_modules


def _install_fingerprint(reports_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json", "scripts/patch-duckdb-client.mjs"):
        path = reports_dir / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    return digest.hexdigest()


@contextmanager
def _install_lock(reports_dir: Path) -> Iterator[None]:
    """Serialise installs: tests run under xdist and Dagster may build at the same time."""
    lock_path = reports_dir / ".install.lock"
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_installed_matches_lock(reports_dir: Path) -> list[str]:
    """Differences between node_modules and package-lock.json (empty when they match).

    npm records what it installed in node_modules/.package-lock.json; every package there must be
    in the committed lockfile at the same version, and every required locked package installed.
    """
    locked = json.loads((reports_dir / "package-lock.json").read_text())["packages"]
    hidden_path = reports_dir / "node_modules" / ".package-lock.json"
    if not hidden_path.exists():
        return ["node_modules/.package-lock.json is missing"]
    installed = json.loads(hidden_path.read_text())["packages"]
    problems = [
        f"{key} installed {meta.get('version')}, locked {locked.get(key, {}).get('version')}"
        for key, meta in installed.items()
        if key and locked.get(key, {}).get("version") != meta.get("version")
    ]
    problems += [
        f"{key} locked but not installed"
        for key, meta in locked.items()
        if key and key not in installed and not meta.get("optional") and not meta.get("extraneous")
    ]
    return problems


def ensure_node_modules(
    reports_dir: Path, *, log: Log = print, timeout_s: float = INSTALL_TIMEOUT_S
) -> bool:
    """Install reports/node_modules from package-lock.json unless it is already installed from
    this exact lockfile. Returns True when it installed."""
    reports_dir = reports_dir.resolve()
    stamp = reports_dir / "node_modules" / STAMP_NAME
    with _install_lock(reports_dir):
        wanted = _install_fingerprint(reports_dir)
        if stamp.exists() and stamp.read_text().strip() == wanted:
            return False
        # --no-save: install the locked versions, never rewrite the committed lockfile.
        cmd = ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"]
        _run("install", cmd, reports_dir, _npm_env(), timeout_s, log)
        problems = check_installed_matches_lock(reports_dir)
        if problems:
            raise ReportBuildError(
                "install",
                "node_modules does not match package-lock.json (package.json changed without "
                "`npm install` in reports/ and committing the lockfile?): "
                + "; ".join(problems[:5]),
            )
        stamp.write_text(wanted + "\n")
        return True


# ----------------------------------------------------------------------------- definitions page

_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})(.*)$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")


def _escape_prose(text: str) -> str:
    """Make markdown prose safe for Evidence (mdsvex + Svelte) while keeping what it shows.

    Curly braces start Svelte expressions and `<` can open a tag, so each becomes a Svelte
    expression printing the character (`{'<'}`); an HTML entity would not do, Evidence decodes it
    back into table cells. Inline code spans are left alone (mdsvex escapes code itself).
    """
    out: list[str] = []
    last = 0
    for m in _INLINE_CODE.finditer(text):
        out.append(_escape_plain(text[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    return re.sub(r"[{}<]", lambda m: {"{": "{'{'}", "}": "{'}'}", "<": "{'<'}"}[m.group(0)], text)


def render_definitions_page(markdown: str, source: str = "docs/metrics.md") -> str:
    """The Evidence page for the metric definitions, from the markdown of docs/metrics.md.

    Headings keep their text, so `## logo churn` is the anchor /definitions#logo-churn. Code
    fences become ```code (Evidence runs a fence named `sql`, or in any language it does not
    highlight, as a query, and `code` is its plain highlighted block); indented code blocks become such fences too (Evidence's markdown does not know
    them and would read `a <= b` in one as a tag); the document's `# title` becomes the page
    title; braces and `<` in prose are escaped (see _escape_prose).
    """
    lines = markdown.replace("\r\n", "\n").split("\n")
    if lines and lines[0].strip() == "---":  # the document's own front matter: not for the page
        end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), 0)
        lines = lines[end + 1 :]
    title = "Metric definitions"
    for i, line in enumerate(lines):
        if line.strip():
            if line.startswith("# "):
                title = line[2:].strip() or title
                lines = lines[:i] + lines[i + 1 :]
            break
    body: list[str] = []
    fence: str | None = None  # the open fence's marker while inside a fenced block
    indented = False  # inside an indented code block (rewritten as a fence)
    prose_before = ""  # the last non-blank line outside code
    for line in lines:
        m = _FENCE.match(line)
        if indented:
            if not line.strip() or line.startswith("    "):
                body.append(line[4:])
                continue
            while body and not body[-1].strip():  # blank lines belong after the fence
                body.pop()
            body += ["```", ""]
            indented = False
        if fence is None and m:
            fence = m.group(2)
            body.append(f"{m.group(1)}{fence}code")
        elif fence is not None:
            closing = m and m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence)
            if closing and not m.group(3).strip():
                fence = None
            body.append(line)
        elif (
            line.startswith("    ")
            and line.strip()
            and body
            and not body[-1].strip()
            and not _LIST_ITEM.match(prose_before)
            and not prose_before.startswith((" ", "\t"))
        ):
            indented = True
            body += ["```code", line[4:]]
        else:
            body.append(_escape_prose(line))
            if line.strip():
                prose_before = line
    if indented:
        body.append("```")
    title_yaml = json.dumps(title)  # a JSON string is a valid YAML scalar
    # Evidence requests the query results of every page and 404s on a page without a query;
    # this one reads no mart (the page depends on docs/metrics.md only, see exposures.py).
    header = (
        f"---\ntitle: {title_yaml}\n---\n\n"
        f"<!-- Generated from {source} by loyalty_warehouse.report_site at build time. "
        f"Do not edit: change {source}. -->\n\n"
        f"```sql definitions_source\nselect '{source}' as source\n```\n\n"
        "How every figure on the report pages is defined, generated from "
        "<Value data={definitions_source} column=source/> at each build.\n\n"
    )
    return header + "\n".join(body).strip("\n") + "\n"


def write_definitions_page(reports_dir: Path, metrics_doc: Path = METRICS_DOC) -> Path:
    """Write reports_dir/pages/definitions.md from docs/metrics.md; returns the page's path."""
    if not metrics_doc.is_file():
        raise ReportBuildError(
            "definitions",
            f"metric definitions not found: {metrics_doc} (the /definitions page is generated "
            "from it and every page links there)",
        )
    page = reports_dir / DEFINITIONS_PAGE
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render_definitions_page(metrics_doc.read_text()))
    return page


# ----------------------------------------------------------------------------- building


def db_filename_option(reports_dir: Path, published_db: Path) -> str:
    """The value for EVIDENCE_SOURCE__warehouse__filename: relative to the source folder,
    because Evidence's DuckDB plugin joins it onto that folder."""
    source_dir = (reports_dir / "sources" / SOURCE_NAME).resolve()
    return os.path.relpath(published_db.resolve(), source_dir)


def built_pages(build_dir: Path) -> list[str]:
    """URL paths of the pages in a built site ("/" for pages/index.md)."""
    skip = {"_app", "api", "data"}
    pages = []
    for html in build_dir.rglob("index.html"):
        rel = html.parent.relative_to(build_dir)
        if rel.parts and rel.parts[0] in skip:
            continue
        pages.append("/" + "/".join(rel.parts) + ("/" if rel.parts else ""))
    return sorted(pages)


def build_site(
    reports_dir: Path,
    published_db: Path,
    *,
    log: Log = print,
    metrics_doc: Path = METRICS_DOC,
    sources_timeout_s: float = SOURCES_TIMEOUT_S,
    build_timeout_s: float = BUILD_TIMEOUT_S,
) -> SiteBuildResult:
    """`npm run sources` then `npm run build` against `published_db`; returns the built site.

    Expects node_modules (see ensure_node_modules). Writes reports_dir/pages/definitions.md
    (from `metrics_doc`) and reports_dir/build.
    """
    reports_dir = reports_dir.resolve()
    published_db = published_db.resolve()
    if not published_db.is_file():
        raise ReportBuildError("sources", f"published database not found: {published_db}")
    if not (reports_dir / "node_modules" / ".bin" / "evidence").exists():
        raise ReportBuildError(
            "sources", "reports/node_modules is missing: run ensure_node_modules"
        )

    # A failed `evidence sources` can leave an empty query-cache/hashes.json that makes every
    # later run fail with "Unexpected end of JSON input"; results from an older database must
    # not leak into this build either. Sources re-run every query anyway (~2 s).
    for stale in (".evidence/meta", ".evidence/template/static/data", "build"):
        _rmtree(reports_dir / stale)
    write_definitions_page(reports_dir, metrics_doc)

    env = _npm_env({DB_ENV_VAR: db_filename_option(reports_dir, published_db)})
    seconds: dict[str, float] = {}
    started = time.monotonic()
    _run("sources", ["npm", "run", "sources"], reports_dir, env, sources_timeout_s, log)
    seconds["sources"] = time.monotonic() - started

    started = time.monotonic()
    output = _run("build", ["npm", "run", "build"], reports_dir, env, build_timeout_s, log)
    seconds["build"] = time.monotonic() - started
    if any(_PAGE_QUERY_FAILED.match(ln.strip()) for ln in output.splitlines()):
        raise ReportBuildError("build", explain_failure("build", output, reports_dir), output)

    build_dir = reports_dir / "build"
    pages = built_pages(build_dir)
    if not pages:
        raise ReportBuildError("build", f"no pages were written to {build_dir}", output)
    log(f"report site built: {len(pages)} page(s) in {build_dir}")
    return SiteBuildResult(build_dir=build_dir, pages=pages, seconds=seconds)


def _rmtree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


# ----------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    from .config import settings

    parser = argparse.ArgumentParser(prog="python -m loyalty_warehouse.report_site")
    parser.add_argument("command", choices=["install", "build", "definitions"])
    parser.add_argument("--db", type=Path, help="published database (default: from config)")
    parser.add_argument("--timings", type=Path, help="write the step times (s) here as JSON")
    args = parser.parse_args(argv)
    conf = settings()
    try:
        if args.command == "definitions":
            print(write_definitions_page(conf.reports_dir))
            return 0
        ensure_node_modules(conf.reports_dir)
        if args.command == "build":
            result = build_site(conf.reports_dir, args.db or conf.published_path)
            print(f"pages: {', '.join(result.pages)}")
            if args.timings:
                args.timings.write_text(json.dumps(result.seconds))
    except ReportBuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
