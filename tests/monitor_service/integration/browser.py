"""The monitor's Chalice app served over HTTP on a free port, and headless Chromium driven by flags.

`served(app, hook)` runs chalice's own local dev server (the one `chalice local` and `make run`
use) on a thread; `hook(method, path)` runs before each request is handled, so a test can change
what the monitor holds between two of the page's polls. `Chromium` runs Debian's chromium
(`scripts/ensure-chromium` installs it; `make test` runs that first) with a fresh profile and
nothing that reaches the network: `dom(url)` is the page after `budget_ms` of virtual time
(timers run, fetches complete), `screenshot(url, path)` saves a PNG. `Dom` reads what a dumped
page shows: the text of each element with an id, each table's rows, the body's attributes.
"""

from __future__ import annotations

import functools
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, create_local_server

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
)
Hook = Callable[[str, str], None]


class _HookedHandler(ChaliceRequestHandler):
    def __init__(self, *args: Any, hook: Hook | None, **kwargs: Any) -> None:
        self._hook = hook  # set first: the base class handles the request in __init__
        super().__init__(*args, **kwargs)

    def _generic_handle(self) -> None:
        if self._hook is not None:
            self._hook(self.command, self.path)
        super()._generic_handle()

    do_GET = do_HEAD = _generic_handle

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per request would bury the test's output."""


@contextmanager
def served(app: Chalice, hook: Hook | None = None) -> Iterator[str]:
    """The app on http://127.0.0.1:<free port> until the block ends; yields that base URL."""
    config = Config.create(chalice_stage="local", app_name=app.app_name)
    local = create_local_server(app, config, "127.0.0.1", 0)
    local.server.RequestHandlerClass = functools.partial(
        _HookedHandler, app_object=app, config=config, hook=hook
    )
    thread = threading.Thread(target=local.server.serve_forever, name="monitor-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{local.server.server_address[1]}"
    finally:
        local.server.shutdown()
        local.server.server_close()
        thread.join(timeout=10)


class Chromium:
    """Headless Chromium with a profile of its own under `workdir`."""

    def __init__(self, workdir: Path, timeout: float = 90.0) -> None:
        if not CHROMIUM.exists():
            raise FileNotFoundError(f"{CHROMIUM} is missing: run scripts/ensure-chromium")
        self.workdir = workdir
        self.timeout = timeout

    def _run(self, url: str, *flags: str) -> subprocess.CompletedProcess[str]:
        profile = self.workdir / "profile"
        command = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *flags, url]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=self.timeout, check=True
        )

    def dom(self, url: str, budget_ms: int) -> str:
        """The page's DOM after `budget_ms` of virtual time."""
        return self._run(url, f"--virtual-time-budget={budget_ms}", "--dump-dom").stdout

    def screenshot(
        self, url: str, path: Path, budget_ms: int, size: tuple[int, int] = (1400, 2000)
    ) -> Path:
        self._run(
            url,
            f"--virtual-time-budget={budget_ms}",
            f"--window-size={size[0]},{size[1]}",
            f"--screenshot={path}",
        )
        return path


@dataclass
class Row:
    table: str
    data: dict[str, str]
    """The row's data-* attributes, without the prefix."""
    cells: list[str] = field(default_factory=list)


class Dom(HTMLParser):
    """What a dumped page shows (see the module docstring)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: dict[str, str] = {}
        """The text inside each element that has an id, by id."""
        self.attributes: dict[str, dict[str, str]] = {}
        """The attributes of each element that has an id, by id."""
        self.body: dict[str, str] = {}
        self.rows: list[Row] = []
        self._open: list[tuple[str, str | None]] = []
        self._table: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {name: value or "" for name, value in attrs}
        if tag in ("meta", "link", "input", "br", "img"):
            return
        self._open.append((tag, named.get("id")))
        if "id" in named:
            self.text[named["id"]] = ""
            self.attributes[named["id"]] = named
        if tag == "body":
            self.body = named
        elif tag == "table":
            self._table = named.get("id")
        elif tag == "tr" and self._table:
            data = {k.removeprefix("data-"): v for k, v in named.items() if k.startswith("data-")}
            self.rows.append(Row(self._table, data))
        elif tag == "td" and self.rows:
            self.rows[-1].cells.append("")

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break
        if tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id is not None:
                self.text[element_id] += data
        if self._open and any(tag == "td" for tag, _ in self._open) and self.rows:
            self.rows[-1].cells[-1] += data

    def table(self, table_id: str) -> list[Row]:
        return [row for row in self.rows if row.table == table_id and row.cells]
