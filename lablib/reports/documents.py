"""Innovation documents written from a participant's own answers, as HTML and as Word (.docx).

Two layouts:

- ``profil``: the innovation profile of PP 38/2017 and the Indeks Inovasi Daerah (nama,
  tahapan, inisiator, jenis, bentuk, urusan, tematik, rancang bangun in six parts, tujuan,
  manfaat, hasil, waktu uji coba and penerapan, anggaran);
- ``kipp``: the KIPP proposal (ringkasan, latar belakang dan tujuan, kebaruan, implementasi,
  signifikansi, adaptabilitas, sumber daya, keberlanjutan).

Every section is read from the participant's latest answers across the stages (Display holds
imported copies of earlier exercises; earlier stages' files are the fallback). A section whose
own answer is missing is drafted from an earlier exercise when one fits (marked as a draft,
naming the exercise), or says plainly that it is not filled in yet. The layouts are tables of
answer references (``SECTIONS``), so a renamed field is fixed in one place.

The Word files use only built-in styles (headings, "Table Grid"), A4 with 2.5 cm margins, so
an office can edit and print them as they are.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lablib.core import formatting
from lablib.core.fields import Field, Table
from lablib.core.files import replacing, write_text_atomic
from lablib.core.formatting import rupiah
from lablib.course.course import Course
from lablib.course.roster import Participant
from lablib.curriculum.maturity import pp38_stage
from lablib.curriculum.references import check_references
from lablib.notebook.summary import EMPTY, shown_value, with_computed
from lablib.reports.pages import render
from lablib.reports.safe import MAX_CELL_CHARS, clean_text, cut

DOCS_DIR = "dokumen"


def xml_safe(text: str) -> str:
    """What XML (Word, Excel) can hold of ``text``: ``lablib.reports.safe.clean_text`` (control
    characters dropped, Word's line and page breaks made line breaks, lone surrogates replaced)."""
    return clean_text(text)


# ============================================================================ answer text

def field_text(field_: Field, raw: Any) -> str:
    """Plain text of one stored answer value (tables as numbered rows); never raises."""
    if isinstance(field_, Table):
        rows = table_rows(field_, raw)
        if not rows:
            return EMPTY if raw in (None, "", []) or isinstance(raw, list) else str(raw)
        lines = []
        for n, row in enumerate(rows, start=1):
            cells = [f"{label}: {value}" for label, value in row if value != EMPTY]
            lines.append(f"{n}. " + "; ".join(cells))
        return "\n".join(lines)
    return _shown_text(field_, raw)


def _shown_text(field_: Field, raw: Any) -> str:
    """Shown text of one stored value, as the answers summary shows it: numbers, rupiah and
    dates in lablib's one Indonesian style (``Number.display`` and ``DateField.display`` write
    them with ``lablib.core.formatting``); a value not fitting its field as typed."""
    return shown_value(field_, raw).text


def table_rows(table: Table, raw: Any) -> list[list[tuple[str, str]]]:
    """Non-blank rows of a stored table as ``[(column label, shown text), ...]``."""
    if not isinstance(raw, list):
        return []
    out = []
    for row in raw:
        if not isinstance(row, dict):
            continue
        cells = [(c.label, _shown_text(c, row.get(c.id))) for c in table.columns]
        if any(v != EMPTY for _, v in cells):
            out.append(cells)
    return out


class FilledAnswers(Mapping):
    """One participant's answers (``{exercise_id: entry}``, read-only) whose entries are filled
    with their computed values once per exercise: a cohort report reads each entry dozens of
    times, and filling it runs the exercise's computations (three quarters of a 4,000-participant
    report's time before this)."""

    def __init__(self, answers: Mapping[str, Any]):
        self._answers = answers
        self._filled: dict[str, dict] = {}

    def __getitem__(self, key: str) -> Any:
        return self._answers[key]

    def __iter__(self):
        return iter(self._answers)

    def __len__(self) -> int:
        return len(self._answers)

    def entry(self, exercise_id: str) -> dict:
        """``entry_of(self, exercise_id)``, worked out on the first call."""
        found = self._filled.get(exercise_id)
        if found is None:
            found = self._filled[exercise_id] = _fill(self, exercise_id)
        return found


def entry_of(answers: Mapping[str, Any] | None, exercise_id: str) -> dict:
    """The exercise's entry, its computed values (USG totals, RAB total, ratios…) filled in."""
    if isinstance(answers, FilledAnswers):
        return answers.entry(exercise_id)
    return _fill(answers, exercise_id)


def _fill(answers: Mapping[str, Any] | None, exercise_id: str) -> dict:
    entry = (answers or {}).get(exercise_id)
    if not isinstance(entry, dict):
        return {}
    ex = _exercise(exercise_id)
    return with_computed(ex, answers, entry) if ex is not None else entry


def _exercise(exercise_id: str):
    from lablib.curriculum import get_exercise

    try:
        return get_exercise(exercise_id)
    except KeyError:
        return None


def lookup(answers: Mapping[str, Any] | None, ref: str) -> tuple[Field | None, Any]:
    """The field definition and raw value of ``"design.ds1.nama"`` (field ``None`` if undefined)."""
    exercise_id, _, field_id = ref.rpartition(".")
    raw = entry_of(answers, exercise_id).get(field_id)
    ex = _exercise(exercise_id)
    if ex is None:
        return None, raw
    try:
        return ex.field(field_id), raw
    except KeyError:
        return None, raw


def _blank(raw: Any) -> bool:
    return raw is None or raw == [] or raw == {} or (isinstance(raw, str) and not raw.strip())


def text_of(answers: Mapping[str, Any] | None, ref: str) -> str:
    """Shown text of an answer reference, ``""`` when it is empty."""
    f, raw = lookup(answers, ref)
    if _blank(raw):
        return ""
    if f is None:
        return raw if isinstance(raw, str) else str(raw)
    text = field_text(f, raw)
    return "" if text == EMPTY else text


def value_of(answers: Mapping[str, Any] | None, ref: str) -> Any:
    """Typed value of an answer reference (``None`` when empty or not fitting its field)."""
    f, raw = lookup(answers, ref)
    if _blank(raw):
        return None
    if f is None:
        return raw
    try:
        return f.coerce(raw)
    # a value that does not fit its field (AnswerError is a ValueError; int()/float() of an odd
    # JSON value raise TypeError or OverflowError, a walk of one nested thousands deep
    # RecursionError) reads as empty
    except (ValueError, TypeError, OverflowError, RecursionError):
        return None


# ============================================================================ document model

@dataclass(frozen=True)
class Block:
    """A paragraph (``text``), a labelled value (``label`` + ``text``) or a table."""

    text: str = ""
    label: str = ""
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def is_table(self) -> bool:
        return bool(self.headers)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple[Block, ...]
    draft_from: str = ""  # exercise code(s) a missing section was drafted from
    missing: bool = False


@dataclass(frozen=True)
class Document:
    kind: str  # "profil" or "kipp"
    title: str
    subtitle: str
    participant_id: str
    sections: tuple[Section, ...]
    meta: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        """All the document's text (for search and tests)."""
        parts = [self.title, self.subtitle]
        for s in self.sections:
            parts.append(s.title)
            for b in s.blocks:
                parts += [b.label, b.text, *b.headers, *(c for r in b.rows for c in r)]
        return "\n".join(p for p in parts if p)


NOT_FILLED = "(belum diisi)"


@dataclass(frozen=True)
class Spec:
    """One section of a layout: the answers that fill it, then the drafts to fall back on."""

    key: str
    title: str
    refs: tuple[str, ...] = ()  # each shown as a paragraph (or table) when filled
    labelled: bool = False  # show each ref with its field label
    drafts: tuple[str, ...] = ()  # used only when every ref is empty
    special: str = ""  # a computed section: "hasil", "anggaran", "tahapan"


def _code(ref: str) -> str:
    return ref.rpartition(".")[0].split(".", 1)[-1].upper()


def _blocks(answers: Mapping[str, Any], refs: Sequence[str], labelled: bool) -> list[Block]:
    out = []
    for ref in refs:
        f, raw = lookup(answers, ref)
        if _blank(raw):
            continue
        label = f.label if f is not None else ref.rpartition(".")[2]
        if isinstance(f, Table):
            rows = table_rows(f, raw)
            if rows:
                headers = tuple(lbl for lbl, _ in rows[0])
                out.append(Block(label=label if labelled else "", headers=headers,
                                 rows=tuple(tuple(v for _, v in r) for r in rows)))
            continue
        text = text_of(answers, ref)
        if text:
            out.append(Block(text=text, label=label if labelled else ""))
    return out


def build_section(spec: Spec, answers: Mapping[str, Any]) -> Section:
    if spec.special == "hasil":
        blocks = _hasil_blocks(answers)
    elif spec.special == "anggaran":
        blocks = _anggaran_blocks(answers)
    elif spec.special == "tahapan":
        blocks = [Block(text=pp38_stage(answers).describe())]
    else:
        blocks = _blocks(answers, spec.refs, spec.labelled)
    if blocks:
        return Section(spec.key, spec.title, tuple(blocks))
    drafts = _blocks(answers, spec.drafts, labelled=True)
    if drafts:
        codes = ", ".join(dict.fromkeys(_code(r) for r in spec.drafts if not _blank(lookup(answers, r)[1])))
        return Section(spec.key, spec.title, tuple(drafts), draft_from=codes)
    return Section(spec.key, spec.title, (Block(text=NOT_FILLED),), missing=True)


def _hasil_blocks(answers: Mapping[str, Any]) -> list[Block]:
    """Hasil: the trial's change against the baseline, the complaint ratio and the interpretation."""
    blocks = _blocks(answers, ("deliver.dv1.perubahan",), labelled=False)
    pct = value_of(answers, "deliver.dv1.rasio_pengaduan")
    band = text_of(answers, "deliver.dv1.band_pengaduan")
    if pct is not None:
        blocks.append(Block(label="Pengaduan terselesaikan",
                            text=formatting.percent(pct) + (f" (band IID {band})" if band else "")))
    log = value_of(answers, "deliver.dv1.log") or []
    if log:
        served = sum(r.get("dilayani") or 0 for r in log if isinstance(r.get("dilayani"), (int, float)))
        dates = [r.get("tanggal") for r in log if isinstance(r.get("tanggal"), _dt.date)]
        span = f" ({formatting.date(min(dates))} s.d. {formatting.date(max(dates))})" if dates else ""
        blocks.append(Block(label="Uji coba", text=f"{len(log)} minggu tercatat{span}; "
                                                   f"{formatting.number(served)} orang dilayani"))
    blocks += _blocks(answers, ("deliver.dv1.interpretasi",), labelled=False)
    return blocks


def _anggaran_blocks(answers: Mapping[str, Any]) -> list[Block]:
    blocks = []
    amount = value_of(answers, "design.ds1.anggaran")
    if amount is None:
        amount = value_of(answers, "design.ds3.total_rab")
    if amount is not None:
        blocks.append(Block(text=rupiah(amount)))
    source = text_of(answers, "design.ds3.sumber_dana")
    if source:
        blocks.append(Block(label="Sumber dana", text=source))
    return blocks


def _rb_specs() -> tuple[Spec, ...]:
    try:
        from lablib.curriculum.facts import RANCANG_BANGUN_OUTLINE
    except ImportError:  # an older curriculum without the outline table
        RANCANG_BANGUN_OUTLINE = {}
    drafts = {"permasalahan": ("diagnose.dg1.masalah_terpilih", "diagnose.dg2.akar_masalah"),
              "dasar_hukum": ("drum-up.du1.dasar_hukum",),
              "keunggulan": ("diagnose.dg4.ide_terpilih",),
              "metode": ("diagnose.dg4.kaitan_akar",),
              "cara_kerja": ("design.ds3.kegiatan",)}
    return tuple(Spec(f"rb_{k}", f"Rancang bangun: {label}", (f"design.ds1.rb_{k}",), drafts=drafts.get(k, ()))
                 for k, label in RANCANG_BANGUN_OUTLINE.items())


def profile_specs() -> tuple[Spec, ...]:
    """The PP 38 / IID innovation profile, section by section."""
    ds1 = "design.ds1."
    return (
        Spec("nama", "Nama inovasi", (ds1 + "nama",), drafts=("diagnose.dg4.ide_terpilih",)),
        Spec("tahapan", "Tahapan inovasi", special="tahapan"),
        Spec("inisiator", "Inisiator", (ds1 + "inisiator",)),
        Spec("jenis", "Jenis inovasi", (ds1 + "jenis",)),
        Spec("bentuk", "Bentuk inovasi", (ds1 + "bentuk",)),
        Spec("urusan", "Urusan pemerintahan", (ds1 + "urusan",)),
        Spec("tematik", "Tematik", (ds1 + "tematik",)),
        *_rb_specs(),
        Spec("tujuan", "Tujuan inovasi", (ds1 + "tujuan",)),
        Spec("manfaat", "Manfaat yang diperoleh",
             (ds1 + "manfaat_opd", ds1 + "manfaat_pemangku", ds1 + "manfaat_masyarakat"), labelled=True),
        Spec("hasil", "Hasil inovasi", special="hasil"),
        Spec("waktu_uji_coba", "Waktu uji coba", (ds1 + "waktu_uji_coba",)),
        Spec("waktu_penerapan", "Waktu penerapan", (ds1 + "waktu_penerapan",)),
        Spec("anggaran", "Anggaran", special="anggaran"),
    )


def kipp_specs() -> tuple[Spec, ...]:
    """The KIPP proposal: DP1's sections, drafted from earlier exercises where DP1 is missing."""
    dp1 = "display.dp1."
    ds1 = "design.ds1."
    titles = {
        "ringkasan": "Ringkasan", "latar_belakang": "Latar belakang dan tujuan", "kebaruan": "Kebaruan / nilai tambah",
        "implementasi": "Implementasi", "signifikansi": "Signifikansi", "adaptabilitas": "Adaptabilitas",
        "sumber_daya": "Sumber daya", "keberlanjutan": "Strategi keberlanjutan",
    }
    drafts = {
        "ringkasan": (ds1 + "tujuan",),
        "latar_belakang": (ds1 + "rb_permasalahan", ds1 + "tujuan"),
        "kebaruan": (ds1 + "rb_keunggulan",),
        "implementasi": (ds1 + "rb_cara_kerja", "design.ds3.kegiatan"),
        "signifikansi": ("deliver.dv1.perubahan", "deliver.dv1.interpretasi"),
        "adaptabilitas": ("display.dp2.mitra",),
        "sumber_daya": ("design.ds3.rab", "design.ds3.sumber_dana"),
        "keberlanjutan": ("deliver.dv2.iterasi",),
    }
    try:
        from lablib.curriculum.facts import KIPP_WEIGHTS

        keys = tuple(KIPP_WEIGHTS)
    except ImportError:
        keys = tuple(titles)
    ex = _exercise("display.dp1")
    out = []
    for k in keys:
        title = titles.get(k) or k
        if ex is not None:
            try:
                title = ex.field(k).label
            except KeyError:
                pass
        out.append(Spec(k, title, (dp1 + k,), drafts=drafts.get(k, ())))
    return tuple(out)


# Every answer the documents read (the two layouts, the computed sections, the innovation's name
# and OPD), checked against the definitions when this module loads: a renamed field fails here
# instead of printing "(belum diisi)" in every document.
REFERENCES = check_references(dict.fromkeys((
    *(ref for spec in (*profile_specs(), *kipp_specs()) for ref in (*spec.refs, *spec.drafts)),
    "deliver.dv1.perubahan", "deliver.dv1.rasio_pengaduan", "deliver.dv1.band_pengaduan",  # hasil
    "deliver.dv1.log.dilayani", "deliver.dv1.log.tanggal", "deliver.dv1.interpretasi",
    "design.ds1.anggaran", "design.ds3.total_rab", "design.ds3.sumber_dana",  # anggaran
    "design.ds1.nama", "diagnose.dg4.ide_terpilih", "diagnose.dg1.masalah_terpilih",  # innovation_name
    "drum-up.du1.nama_opd",  # opd_of
)))


# ============================================================================ building

NAME_CHARS = 200  # an innovation's or an OPD's name as titles, cards and table cells show it


def innovation_name(answers: Mapping[str, Any]) -> str:
    """The innovation's name (or the idea, or the problem, until it has one), cut to ``NAME_CHARS``."""
    name = (text_of(answers, "design.ds1.nama") or text_of(answers, "diagnose.dg4.ide_terpilih")
            or text_of(answers, "diagnose.dg1.masalah_terpilih"))
    return cut(name, NAME_CHARS)


def opd_of(person: Participant, answers: Mapping[str, Any]) -> str:
    """The participant's OPD from the roster, else from their Drum-up answers, cut to ``NAME_CHARS``."""
    return cut(person.opd or text_of(answers, "drum-up.du1.nama_opd"), NAME_CHARS)


def build_document(kind: str, person: Participant, answers: Mapping[str, Any]) -> Document:
    """The ``"profil"`` or ``"kipp"`` document of one participant's answers."""
    specs = {"profil": profile_specs, "kipp": kipp_specs}[kind]()
    name = innovation_name(answers) or "(nama inovasi belum diisi)"
    opd = opd_of(person, answers)
    title = {"profil": "Profil Inovasi Daerah", "kipp": "Proposal Inovasi Pelayanan Publik (format KIPP)"}[kind]
    meta = (("Inovasi", name), ("OPD", opd or EMPTY), ("Disusun oleh", person.nama or person.id),
            ("Jabatan", person.jabatan or EMPTY), ("Tanggal dokumen", formatting.date(_dt.date.today())))
    return Document(kind, title, name, person.id, tuple(build_section(s, answers) for s in specs), meta)


# ============================================================================ HTML

def document_html(doc: Document) -> str:
    """A self-contained, printable HTML page (``templates/document.html.j2``); every answer is escaped."""
    return render("document.html.j2", doc=doc)


# ============================================================================ Word

LANGUAGE = "id-ID"


def mark_language(d, tag: str = LANGUAGE) -> None:
    """Mark the whole document as written in ``tag``, so Word checks spelling in Indonesian.

    python-docx's template says en-US in the document defaults (``w:docDefaults``); every style
    inherits them, so setting ``w:lang`` there (and on Normal, which some Word versions read
    first) is enough: no run needs its own mark.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = d.styles.element
    rpr_default = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    targets = [d.styles["Normal"].element.get_or_add_rPr()]
    if rpr_default is not None:
        targets.insert(0, rpr_default)
    for rpr in targets:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), tag)  # eastAsia/bidi name other scripts' languages: left as they are
    d.core_properties.language = tag

def document_docx(doc: Document, path: str | os.PathLike) -> Path:
    """Write ``doc`` as a Word file an office can edit and print (A4, built-in styles)."""
    from docx import Document as NewDocx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    d = NewDocx()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(2.5))
    d.styles["Normal"].font.name = "Times New Roman"
    d.styles["Normal"].font.size = Pt(12)
    mark_language(d, LANGUAGE)
    d.core_properties.title = xml_safe(f"{doc.title}: {doc.subtitle}")[:250]
    d.core_properties.author = "lablib"
    d.add_heading(xml_safe(doc.title), level=0)
    sub = d.add_paragraph(xml_safe(doc.subtitle))
    sub.runs[0].bold = True
    meta = d.add_table(rows=0, cols=2)
    meta.style = "Table Grid"
    for k, v in doc.meta:
        cells = meta.add_row().cells
        cells[0].text, cells[1].text = xml_safe(k), xml_safe(v)
        cells[0].paragraphs[0].runs[0].bold = True
    for s in doc.sections:
        d.add_heading(xml_safe(s.title), level=1)
        if s.draft_from:
            p = d.add_paragraph()
            run = p.add_run(f"Draf dari jawaban {s.draft_from}; lengkapi bagian ini.")
            run.italic = True
        for b in s.blocks:
            if b.is_table:
                if b.label:
                    d.add_paragraph().add_run(xml_safe(b.label)).bold = True
                t = d.add_table(rows=1, cols=len(b.headers))
                t.style = "Table Grid"
                for cell, h in zip(t.rows[0].cells, b.headers):
                    cell.text = xml_safe(h)
                    cell.paragraphs[0].runs[0].bold = True
                for r in b.rows:
                    for cell, value in zip(t.add_row().cells, r):
                        cell.text = xml_safe(value)
                continue
            p = d.add_paragraph()
            if b.label:
                p.add_run(xml_safe(b.label) + ": ").bold = True
            run = p.add_run(xml_safe(b.text))
            if s.missing:
                run.italic = True
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    footer = sec.footer.paragraphs[0]
    footer.text = xml_safe(f"{doc.title} · {doc.subtitle}")[:200]
    path = Path(path)
    with replacing(path) as tmp:
        d.save(str(tmp))
    return path


# ============================================================================ course

FILENAMES = {"profil": "profil-inovasi", "kipp": "proposal-kipp"}


def write_participant_documents(person: Participant, answers: Mapping[str, Any], folder: str | os.PathLike,
                                kinds: Iterable[str] = ("profil", "kipp")) -> list[Path]:
    """Write each layout as ``.html`` and ``.docx`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in kinds:
        doc = build_document(kind, person, answers)
        html_path = write_text_atomic(folder / f"{FILENAMES[kind]}.html", document_html(doc))
        paths += [html_path, document_docx(doc, folder / f"{FILENAMES[kind]}.docx")]
    return paths


def write_documents(course: Course | str | os.PathLike, participants: Iterable[str] | None = None,
                    out: str | os.PathLike | None = None) -> list[Path]:
    """Write the documents of every participant who has answers (default ``<course>/dokumen/<id>/``)."""
    from lablib.course.gradebook import course_students, latest_answers

    course = Course.of(course)
    ids = list(participants) if participants is not None else course_students(course)
    base = Path(out) if out else course.root / DOCS_DIR
    written: list[Path] = []
    for pid in ids:
        answers = latest_answers(course, pid)
        if not answers:
            continue
        written += write_participant_documents(course.participant(pid) or Participant(pid, "", ""), answers,
                                               base / pid)
    return written


__all__ = [
    "DOCS_DIR",
    "MAX_CELL_CHARS",
    "Block",
    "Document",
    "FilledAnswers",
    "Section",
    "Spec",
    "build_document",
    "document_docx",
    "document_html",
    "field_text",
    "innovation_name",
    "kipp_specs",
    "lookup",
    "opd_of",
    "profile_specs",
    "rupiah",
    "table_rows",
    "text_of",
    "value_of",
    "write_documents",
    "write_participant_documents",
    "xml_safe",
]
