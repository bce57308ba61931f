"""Checks of lablib's pages in headless Chromium (through Playwright): the report laid out for
print on A4, and the showcase's auto-play on a 1920×1080 expo screen."""

from __future__ import annotations

import pytest

A4_CONTENT_PX = 703  # 210 mm less 2 × 12 mm margins (report.css @page), at 96 px per inch


def print_layout(url: str, pdf=None) -> dict:
    """The page laid out for print on A4 in headless Chromium: the document's and every table's
    width; ``pdf``: also print it to that file."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from browser_helpers import launch_chromium

    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            tab = browser.new_page(viewport={"width": A4_CONTENT_PX, "height": 1000})
            tab.goto(url)
            tab.emulate_media(media="print")
            layout = tab.evaluate("""() => ({page: document.documentElement.scrollWidth,
                nav: getComputedStyle(document.querySelector('nav')).display,
                tables: Array.from(document.querySelectorAll('table')).map(t => ({id: t.id,
                    right: Math.ceil(t.getBoundingClientRect().right), scroll: t.scrollWidth,
                    width: Math.ceil(t.getBoundingClientRect().width)}))})""")
            if pdf is not None:
                tab.pdf(path=str(pdf), format="A4", print_background=True)
        finally:
            browser.close()
    return layout


def expo_cards(url: str, shot=None) -> list[dict]:
    """Auto-play in headless Chromium at 1920×1080: each card's size once shown (arrow key to
    the next); ``shot(i)`` names a screenshot file for card ``i`` (or None)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from browser_helpers import launch_chromium

    out = []
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            tab = browser.new_page(viewport={"width": 1920, "height": 1080})
            tab.goto(url)
            tab.wait_for_selector("body[data-ready='1']")
            n = tab.locator("article.card").count()
            tab.click("#play")
            for i in range(n):
                if i:
                    tab.keyboard.press("ArrowRight")
                out.append(tab.evaluate("""() => { const c = document.querySelector('.card.current');
                    const r = c.getBoundingClientRect();
                    return {id: c.getAttribute('data-id'), height: r.height, width: r.width, top: r.top,
                            scroll: c.scrollHeight, client: c.clientHeight, font: Number(c.getAttribute('data-font'))}; }"""))
                if shot and shot(i):
                    tab.screenshot(path=str(shot(i)))
            assert n == len({c["id"] for c in out})  # every card came round once
        finally:
            browser.close()
    return out
