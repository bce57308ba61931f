"""The hub's jinja2 environment: the cards page (HTML, escaped) and the generated config files.

Templates live in ``lablib/hub/templates/``. ``*.html.j2`` are autoescaped, so a participant's
name is always text. The others generate Python config: there every value goes through the
``py`` filter (``repr``) or ``pyset`` (a sorted set literal), so a path or a name is a Python
string literal, never code.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2


@cache
def environment() -> jinja2.Environment:
    autoescape = jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False)
    env = jinja2.Environment(loader=jinja2.PackageLoader("lablib.hub", "templates"), autoescape=autoescape,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["py"] = repr
    env.filters["pyset"] = lambda items: "{" + ", ".join(repr(i) for i in sorted(items)) + "}"
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


__all__ = ["environment", "render"]
