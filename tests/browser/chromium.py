"""How the browser tests and the map benchmark start Debian's Chromium through Playwright
(Playwright cannot download its own browser here)."""

CHROMIUM_PATH = "/usr/bin/chromium"
# Headless as root, with the background services off: on a closed network Chromium would
# otherwise try to reach Google's hosts at every start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright):
    """A headless Chromium browser from a running ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
