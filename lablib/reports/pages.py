"""The reports' HTML pages: one jinja2 environment, its filters and the inlined CSS and script.

Templates live in ``lablib/reports/templates/`` (``*.html.j2``), stylesheets and the
showcase's script in ``lablib/reports/static/``; both ship inside the package. Every page is
one self-contained file: ``static()`` inlines a stylesheet or script into the page, so nothing
is fetched when the page is opened (no network, no second file).

Autoescaping is on for every template. ``{{ value }}`` is escaped exactly as ``html.escape``
escapes (quotes included), so a participant's ``<script>`` is shown as text. A value that is
already HTML must be wrapped in ``markupsafe.Markup`` by the Python caller, deliberately, next
to a comment that says why it is safe.

Filters (all from ``lablib.core.formatting``): ``number``, ``points``, ``score``, ``percent``,
``rupiah``, ``date``, ``timestamp``.
"""

from __future__ import annotations

import html
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
from markupsafe import Markup

from lablib.core import formatting

PACKAGE = "lablib.reports"
# The text that would end the raw-text element a static file is inlined into.
_RAW_END = {".css": "</style", ".js": "</script"}


def _finalize(value: Any) -> Any:
    """Escape every ``{{ value }}`` like ``html.escape`` (``"`` → ``&quot;``, ``'`` → ``&#x27;``).

    markupsafe's own escaping is as safe but spells quotes ``&#34;``/``&#39;``; using
    ``html.escape`` keeps the pages' text the same as lablib's other HTML. ``None`` prints
    nothing. ``Markup`` (marked safe by the caller) passes unchanged.
    """
    if value is None:
        return ""
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value)))


@cache
def static(name: str) -> Markup:
    """The text of ``static/<name>`` (a ``.css`` or ``.js`` file), to inline into a page.

    Safe to insert unescaped: it is lablib's own file, shipped with the package, and it is
    refused if it contains the end tag of the element it goes into (``</style``, ``</script``).
    """
    suffix = "." + name.rpartition(".")[2]
    end = _RAW_END.get(suffix)
    if end is None:
        raise ValueError(f"static file {name!r}: only .css and .js are inlined")
    text = files(PACKAGE).joinpath("static", name).read_text(encoding="utf-8")
    if end in text.lower():
        raise ValueError(f"static file {name!r} contains {end!r}, which would end its element")
    return Markup(text)  # our own file, checked just above


@cache
def environment() -> jinja2.Environment:
    """The reports' jinja2 environment (autoescaping, strict undefined, lablib's filters)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(PACKAGE, "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=True),
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        number=formatting.number,
        points=formatting.points,
        score=formatting.score,
        percent=formatting.percent,
        rupiah=formatting.rupiah,
        date=formatting.date,
        timestamp=formatting.timestamp,
    )
    env.globals["static"] = static
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``.

    The page is what HTML and UTF-8 can hold, whatever a participant's answers held: control
    characters are dropped and lone surrogates replaced (``lablib.reports.safe.clean_text``), in
    the escaped values and in ``Markup`` a caller made from them alike (lablib's own templates
    and static files have neither).
    """
    from lablib.reports.safe import clean_text

    return clean_text(environment().get_template(template).render(**context))


__all__ = ["environment", "render", "static"]
