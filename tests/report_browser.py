"""Opening a built report site in headless Chromium, as a person offline would see it.

Shared by the report-site tests: a local static server for the build, the browser flags, and a
watcher that records console errors, failed requests and every host a page contacts.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
# Works as root in a container; keeps chromium from phoning home so "offline" is the page's doing.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Evidence draws its charts with echarts on a canvas (DataTable sparklines would be svg).
CHART_CANVAS = "[_echarts_instance_] canvas"


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 (a free port); yields its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class PageWatch:
    """Everything a page did that a person offline would notice, recorded while it loads."""

    def __init__(self, context) -> None:
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.hosts: set[str] = set()
        self._ok_responses: set[str] = set()
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("requestfailed", self._on_failed)

    def attach(self, page) -> None:
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))

    def _on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            self.hosts.add(parts.hostname or "")

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")
        else:
            self._ok_responses.add(response.url)

    def _on_failed(self, request) -> None:
        # Evidence reads prerendered .arrow files with a stream reader that cancels the body once
        # it has the table; Chromium reports that as ERR_ABORTED after a 200. Not a failure.
        if request.failure == "net::ERR_ABORTED" and request.url in self._ok_responses:
            return
        self.failed.append(f"{request.failure} {request.url}")


def assert_clean(watch: PageWatch, path: str) -> None:
    assert watch.console_errors == [], f"console errors on {path}"
    assert watch.failed == [], f"failed requests on {path}"
    assert watch.hosts == {"127.0.0.1"}, f"{path} requested hosts other than the local server"


def canvas_colours(page, index: int) -> int:
    """How many different colours the index-th chart canvas has drawn (sampled): 1 = blank."""
    return page.evaluate(
        """(index) => {
            const c = document.querySelectorAll('[_echarts_instance_] canvas')[index];
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let i = 0; i < d.length; i += 4 * 7) {
                if (d[i + 3] > 0) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            }
            return seen.size;
        }""",
        index,
    )
