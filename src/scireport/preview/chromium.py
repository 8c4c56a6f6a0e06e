"""How the tests and the benchmark start Debian's Chromium headless (one place for both).

Playwright's own browser download is not reachable here, so it drives the ``chromium``
package (set-up installs it) with ``executable_path``. The flags are those that work
headless in a container: no sandbox (no user namespaces), no GPU, no background
networking, component updates or first-run dialogs.
"""

from __future__ import annotations

from typing import Any

CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
"""Command-line flags for a headless Chromium here."""


def launch(playwright: Any) -> Any:
    """Start Chromium headless with Playwright (``sync_playwright()``'s object)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
