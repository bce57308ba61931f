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

The gallery is curated: by default it shows the participants who submitted Display (a
participant who never reached it, or never started, has nothing to show an expo), and the
trainer can name the list (``--participants``) or edit ``pameran/kurasi-pameran.txt``, which
also sets the auto-play order. In auto-play each card fills one screen (two columns at
1920×1080; the script shrinks the type of a long card until it fits, never cuts it).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from lablib.core import formatting
from lablib.core.errors import LablibError
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


# ============================================================================ curation

CURATION_FILE = "kurasi-pameran.txt"  # in <course>/pameran/: the list the trainer edits
_STAMP = "# lablib-kurasi sha256="  # first line of a list lablib wrote and nobody has edited since


class CurationError(LablibError, ValueError):
    """A curation file lablib cannot read (the CLI prints the message, no traceback)."""


@dataclass(frozen=True)
class Selection:
    """Who is on the expo screen, in showing order, and why."""

    ids: tuple[str, ...]
    source: str  # in Indonesian, for the trainer: where the list came from
    notes: tuple[str, ...] = ()  # ids left out, and why


def read_curation(path: str | os.PathLike) -> list[str]:
    """Participant ids of a curation file: one a line, in showing order; ``#`` starts a comment
    and anything after the id on its line is ignored (room for a name or an innovation)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CurationError(f"berkas kurasi {path} bukan teks UTF-8; simpan sebagai teks biasa "
                            "(satu ID peserta per baris).") from None
    ids = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words and words[0] not in ids:
            ids.append(words[0])
    return ids


def _stamped(body: str) -> str:
    return f"{_STAMP}{hashlib.sha256(body.encode('utf-8')).hexdigest()}\n{body}"


def _untouched(text: str) -> bool:
    """The file is exactly as lablib wrote it (so it may be rewritten when the cohort changes)."""
    first, _, body = text.partition("\n")
    return first.startswith(_STAMP) and first[len(_STAMP):] == hashlib.sha256(body.encode("utf-8")).hexdigest()


def _display_submitters(cohort: Cohort) -> list[str]:
    return [p.id for p in cohort.people
            if (p.id, "display") in cohort.submitted or cohort.view.record(p.id, "display") is not None]


def curation_text(cohort: Cohort, chosen: list[str]) -> str:
    """The editable list: the chosen participants first, then the others with answers, commented out."""
    by_id = {inn.person.id: inn for inn in cohort.innovations()}

    def line(pid: str, prefix: str, why: str = "") -> str:
        inn = by_id.get(pid)
        about = f"{inn.opd} · {inn.name}" if inn else "belum ada jawaban"
        return f"{prefix}{pid}  # {about}{why}".replace("\n", " ")

    lines = ["# Daftar inovasi di layar pameran (lablib showcase), satu ID peserta per baris, dalam",
             "# urutan tampil. Hapus baris untuk menyembunyikan inovasi; hapus tanda '#' di depan ID",
             "# untuk menampilkannya. Setelah berkas ini Anda ubah, lablib memakainya apa adanya.",
             "", *(line(pid, "") for pid in chosen), ""]
    others = [pid for pid in by_id if pid not in chosen]
    if others:
        submitted = set(_display_submitters(cohort))
        lines.append("# Tidak tampil:")
        lines += [line(pid, "# ", "" if pid in submitted else " (belum mengumpulkan Display)") for pid in others]
    return "\n".join(lines) + "\n"


def select_participants(cohort: Cohort, participants: Sequence[str] | None = None,
                        curation: str | os.PathLike | None = None) -> Selection:
    """The expo's list: ``participants`` if given, else the curation file, else everyone who
    submitted Display (sorted by OPD and innovation). Unknown ids and participants without
    answers are left out with a note, never an error."""
    by_id = {inn.person.id: inn for inn in cohort.innovations()}
    known = {p.id for p in cohort.people}
    if participants is not None:
        wanted, source = list(dict.fromkeys(participants)), "daftar --participants"
    elif curation is not None:
        wanted, source = read_curation(curation), f"berkas kurasi {curation}"
    else:
        wanted = sorted((pid for pid in _display_submitters(cohort) if pid in by_id),
                        key=lambda pid: (by_id[pid].opd.lower(), by_id[pid].name.lower()))
        source = "peserta yang mengumpulkan Display"
    notes = []
    ids = []
    for pid in wanted:
        if pid in by_id:
            ids.append(pid)
        elif pid in known:
            notes.append(f"{pid}: belum ada jawaban, tidak ditampilkan")
        else:
            notes.append(f"{pid}: bukan peserta kursus ini, dilewati")
    return Selection(tuple(ids), source, tuple(notes))


# ============================================================================ page

def showcase_html(cohort: Cohort, title: str = "Pameran Inovasi Daerah", charts: bool = True,
                  ids: Sequence[str] | None = None) -> str:
    """The gallery of ``ids`` in that order (default: every innovation, by OPD and name)."""
    by_id = {inn.person.id: inn for inn in cohort.innovations()}
    if ids is None:
        items = [card_data(inn, charts) for inn in by_id.values()]
        items.sort(key=lambda d: (d["opd"].lower(), d["name"].lower()))
    else:
        items = [card_data(by_id[pid], charts) for pid in ids if pid in by_id]
    # Markup: embed_json leaves no "<", ">" or "&" in the JSON, so it cannot end its <script> block.
    return render("showcase.html.j2", title=title, items=items, data=Markup(embed_json(items)))


@dataclass(frozen=True)
class Showcase:
    path: Path
    selection: Selection
    curation_file: Path | None  # the list the trainer may edit (written when lablib chose)


def publish_showcase(course: Course | str | os.PathLike, out: str | os.PathLike | None = None, *,
                     title: str = "Pameran Inovasi Daerah", charts: bool = True,
                     participants: Sequence[str] | None = None,
                     curation: str | os.PathLike | None = None) -> Showcase:
    """Write the gallery (default ``<course>/pameran/pameran-inovasi.html``) of a curated list.

    Without ``participants`` or ``curation``, ``<course>/pameran/kurasi-pameran.txt`` is the
    list when the trainer has edited it; otherwise lablib (re)writes it with everyone who
    submitted Display, so the trainer has a list to edit for the next run.
    """
    course = Course.of(course)
    path = Path(out) if out else course.root / SHOWCASE_DIR / "pameran-inovasi.html"
    if path.suffix.lower() != ".html":
        path = path / "pameran-inovasi.html"
    cohort = load_cohort(course)
    default_file = course.root / SHOWCASE_DIR / CURATION_FILE
    written = None
    if participants is None and curation is None and default_file.is_file() \
            and not _untouched(default_file.read_text(encoding="utf-8-sig")):
        curation = default_file
    selection = select_participants(cohort, participants, curation)
    if participants is None and curation is None:
        written = write_text_atomic(default_file, _stamped(curation_text(cohort, list(selection.ids))))
    elif curation is not None:
        written = Path(curation)
    write_text_atomic(path, showcase_html(cohort, title, charts, selection.ids))
    return Showcase(path, selection, written)


def write_showcase(course: Course | str | os.PathLike, out: str | os.PathLike | None = None, *,
                   title: str = "Pameran Inovasi Daerah", charts: bool = True,
                   participants: Sequence[str] | None = None) -> Path:
    """``publish_showcase``'s page path (the curated gallery)."""
    return publish_showcase(course, out, title=title, charts=charts, participants=participants).path


__all__ = ["CURATION_FILE", "SHOWCASE_DIR", "CurationError", "Selection", "Showcase", "card_data", "curation_text", "embed_json",
           "publish_showcase", "read_curation", "select_participants", "showcase_html", "write_showcase"]

