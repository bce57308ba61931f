"""The Display showcase: a static, self-contained HTML gallery of the cohort's innovations.

One card per innovation (problem, idea, indicators, trial results with a small SVG of the
weekly trial), with search and filters
(OPD, bentuk, jenis) in vanilla JavaScript (``static/showcase.js``, inlined into the page by
``templates/showcase.html.j2``) that works from ``file://`` without a server
or network: ready for the expo screen (a "Putar otomatis" button shows one card at a time,
large). The card data is embedded as JSON in a ``<script type="application/json">`` block with
``<``, ``>`` and ``&`` escaped, so no participant text can end the block; the script builds
the cards with ``textContent`` only. Filters can be preset in the address:
``showcase.html#q=akta&opd=Dinas%20Kesehatan``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from markupsafe import Markup

from lablib.core import formatting
from lablib.core.files import write_text_atomic
from lablib.course.course import Course
from lablib.curriculum.references import check_references
from lablib.reports.documents import EMPTY, value_of
from lablib.reports.pages import render
from lablib.reports.report import Cohort, Innovation, load_cohort, portfolio_dimensions

SHOWCASE_DIR = "pameran"

# Every answer a card reads (fields, and the table columns it picks), checked against the
# definitions when this module loads: a renamed field fails here instead of an empty card.
REFERENCES = check_references((
    "diagnose.dg1.masalah_terpilih", "diagnose.dg2.akar_masalah", "diagnose.dg4.ide_terpilih",
    *(f"diagnose.dg1.masalah.{c}" for c in ("nama", "baseline", "satuan", "sumber_data")),
    *(f"design.ds2.indikator.{c}" for c in ("nama", "satuan", "baseline", "target")),
    *(f"deliver.dv1.perubahan.{c}" for c in ("indikator", "baseline", "capaian", "perubahan", "perubahan_persen")),
    *(f"deliver.dv1.log.{c}" for c in ("tanggal", "dilayani", "hari_layanan")),
    "deliver.dv1.rasio_pengaduan", "display.dp1.ringkasan", "design.ds1.tujuan",
))


def _num(value: Any) -> str:
    """A number as every lablib page writes it (``1.074``, ``68,5``); ``EMPTY`` if not a number."""
    return formatting.number(value, empty=EMPTY)


def _problem(inn: Innovation) -> dict:
    chosen = inn.text("diagnose.dg1.masalah_terpilih")
    baseline = ""
    for row in inn.value("diagnose.dg1.masalah") or []:
        if chosen and (row.get("nama") or "").strip() == chosen.strip() and row.get("baseline") is not None:
            baseline = f"{_num(row.get('baseline'))} {row.get('satuan') or ''}".strip()
            source = row.get("sumber_data")
            if source:
                baseline += f" (sumber: {source})"
    return {"text": chosen, "baseline": baseline, "root": inn.text("diagnose.dg2.akar_masalah")}


def _indicators(inn: Innovation) -> list[dict]:
    out = []
    for row in inn.value("design.ds2.indikator") or []:
        out.append({"name": str(row.get("nama") or ""), "unit": str(row.get("satuan") or ""),
                    "baseline": _num(row.get("baseline")), "target": _num(row.get("target"))})
    return out


def _results(inn: Innovation) -> dict:
    rows = []
    for row in inn.value("deliver.dv1.perubahan") or []:
        pct = row.get("perubahan_persen")
        rows.append({"name": str(row.get("indikator") or ""), "baseline": _num(row.get("baseline")),
                     "result": _num(row.get("capaian")),
                     "change": _num(row.get("perubahan")) + (f" ({formatting.percent(pct, 2)})" if pct is not None else "")})
    log = inn.value("deliver.dv1.log") or []
    served = sum(r.get("dilayani") or 0 for r in log if isinstance(r.get("dilayani"), (int, float)))
    pct = value_of(inn.answers, "deliver.dv1.rasio_pengaduan")
    return {"rows": rows, "weeks": len(log), "served": _num(served) if log else "",
            "complaints": formatting.percent(pct, 2) if pct is not None else ""}


def _series(inn: Innovation) -> dict:
    """The weekly trial as numbers only (drawn as an SVG by the page's script)."""
    import datetime as _dt
    import math

    def num(v: Any) -> float | None:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        return float(v) if ok else None

    rows = [r for r in inn.value("deliver.dv1.log") or [] if isinstance(r.get("tanggal"), _dt.date)]
    rows.sort(key=lambda r: r["tanggal"])
    return {"served": [num(r.get("dilayani")) or 0.0 for r in rows], "days": [num(r.get("hari_layanan")) for r in rows]}


def card_data(inn: Innovation, charts: bool = True) -> dict:
    dims = portfolio_dimensions(inn)
    idea = inn.text("diagnose.dg4.ide_terpilih")
    summary = inn.text("display.dp1.ringkasan") or inn.text("design.ds1.tujuan")
    return {
        "id": inn.person.id,
        "name": inn.name or "(nama inovasi belum diisi)",
        "person": inn.person.nama or inn.person.id,
        "opd": inn.opd or "(OPD tidak diketahui)",
        "bentuk": dims["Bentuk"], "jenis": dims["Jenis"], "urusan": dims["Urusan"], "tahapan": dims["Tahapan"],
        "problem": _problem(inn), "idea": idea, "summary": summary,
        "indicators": _indicators(inn), "results": _results(inn),
        "series": _series(inn) if charts else {"served": [], "days": []},
    }


def embed_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&`` survive.

    >>> embed_json({"a": "</script><b>&"})
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def showcase_html(cohort: Cohort, title: str = "Pameran Inovasi Daerah", charts: bool = True) -> str:
    items = [card_data(inn, charts) for inn in cohort.innovations()]
    items.sort(key=lambda d: (d["opd"].lower(), d["name"].lower()))
    # Markup: embed_json leaves no "<", ">" or "&" in the JSON, so it cannot end its <script> block.
    return render("showcase.html.j2", title=title, items=items, data=Markup(embed_json(items)))


def write_showcase(course: Course | str | os.PathLike, out: str | os.PathLike | None = None, *,
                   title: str = "Pameran Inovasi Daerah", charts: bool = True) -> Path:
    """Write the gallery (default ``<course>/pameran/pameran-inovasi.html``); returns its path."""
    course = Course.of(course)
    path = Path(out) if out else course.root / SHOWCASE_DIR / "pameran-inovasi.html"
    if path.suffix.lower() != ".html":
        path = path / "pameran-inovasi.html"
    page = showcase_html(load_cohort(course), title, charts)
    write_text_atomic(path, page)
    return path


__all__ = ["SHOWCASE_DIR", "card_data", "embed_json", "showcase_html", "write_showcase"]

