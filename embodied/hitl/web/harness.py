"""Driving a browser session from code: an ``embodied serve`` process and headless
Chromium pages (Playwright). The tests and the benchmark use it; so can a study script.

    with ServerProcess(["task=social_nav"], record="s.jsonl") as server, \\
            chromium() as browser:
        page = open_participant(browser, server.url)
        hold_key(page, "w", 1.0)

Chromium is the system one (``CHROMIUM`` or ``/usr/bin/chromium``, Debian's
``chromium`` package): Playwright's own browser download is never used.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from embodied.errors import EmbodiedError

CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-background-networking",
                 "--disable-gpu")
_URL = re.compile(r"(http://\S+/\?token=\S+)")


def chromium_path() -> str | None:
    """The system Chromium (``$CHROMIUM``, ``chromium`` or ``chromium-browser``), if any."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@contextlib.contextmanager
def chromium():
    """A headless system Chromium driven by Playwright (closed on exit)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise EmbodiedError("driving a browser needs playwright: pip install playwright "
                            "(its browser download is not needed)") from None
    path = chromium_path()
    if path is None:
        raise EmbodiedError("no Chromium found: install Debian's chromium package "
                            "(apt-get install chromium) or set CHROMIUM=/path/to/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def open_participant(browser, url: str, participant: int | None = None, timeout: float = 30.0):
    """A new page joined to the session at ``url``, once its first frames are on screen.
    (The page's content policy forbids eval, which Playwright's waiting uses: the test
    context bypasses it.)"""
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(url + (f"&participant={participant}" if participant is not None else ""))
    page.wait_for_function("() => window.embodied && (window.embodied.frames > 2 || "
                           "window.embodied.closed)", timeout=timeout * 1000)
    return page


def page_state(page) -> dict:
    """What the page knows: frames, step, pose, latencies, ..."""
    return page.evaluate("() => JSON.parse(JSON.stringify(window.embodied))")


def hold_key(page, key: str, seconds: float) -> None:
    """Press ``key``, hold it ``seconds``, release it."""
    page.keyboard.down(key)
    time.sleep(seconds)
    page.keyboard.up(key)


class ServerProcess:
    """``embodied serve OPTIONS`` in a subprocess on a free loopback port; :attr:`url`
    once it listens. :meth:`stop` interrupts it (Ctrl-C) and returns its output."""

    def __init__(self, options: list[str], participants: int = 1, record: str | Path | None = None,
                 extra: list[str] = (), timeout: float = 60.0):
        command = [sys.executable, "-m", "embodied.cli", "serve", *options, "--port", "0",
                   "--participants", str(participants), *extra]
        command += ["--record", str(record)] if record is not None else ["--no-record"]
        env = dict(os.environ, MUJOCO_GL=os.environ.get("MUJOCO_GL", "egl"), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, env=env)
        self.lines: list[str] = []
        self.url = None
        found = threading.Event()

        def read() -> None:
            for line in self.process.stdout:
                self.lines.append(line)
                match = _URL.search(line)
                if match and self.url is None:
                    self.url = match.group(1)
                    found.set()
            found.set()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        if not found.wait(timeout) or self.url is None:
            self.stop()
            raise EmbodiedError("embodied serve did not start:\n" + "".join(self.lines)[-3000:])
        self.token = self.url.rsplit("token=", 1)[1]
        self.base = self.url.split("/?", 1)[0]

    def status(self) -> dict:
        """The server's /status figures."""
        import json
        import urllib.request

        with urllib.request.urlopen(f"{self.base}/status?token={self.token}", timeout=10) as r:
            return json.loads(r.read())

    def stop(self, timeout: float = 60.0) -> str:
        """Interrupt the server, wait for it, return everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5.0)
        return "".join(self.lines)

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
