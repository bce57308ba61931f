"""Pictures drawn from a stage's answers: what a participant sees of their own work.

Every function takes a stage's answers mapping (``{exercise_id: {field: value}}``, the shape
of the answers file) and returns a ``matplotlib.figure.Figure`` drawn on the Agg canvas.
Nothing touches pyplot's global state, so figures never pile up and everything works
headless. Partial or empty answers give a sensible figure (a "Belum ada data" note) and
never a warning or an exception: a participant must not see a traceback or a red stderr box.

Participant text is cleaned before it reaches matplotlib (``lablib.notebook.drawing.clean``):
characters the font lacks (emoji) are dropped, ``$`` cannot start mathtext, and long names
are cut with "…".

==========  ============  ======================================================================
kind        exercise      what it shows
==========  ============  ======================================================================
kesiapan    DU2           readiness radar: the 1–5 self-rating on LAN's conditions and OECD's skills
usg         DG1           problems ranked by U+S+G, the chosen problem highlighted
fishbone    DG2           causes by fishbone category; the chosen root cause highlighted
stakeholder DG3           influence/interest grid with the four quadrants, coloured by pentahelix
decision    DG4           ideas × criteria scores, the weighted totals and the winner
gantt       DS3           activities from start to end, milestones, the Deliver window
budget      DS3           budget lines with line totals and the grand total, in rupiah
trial       DV1 (+DS2)    weekly trial figures against the indicator's baseline and target
kipp        DP1           KIPP radar: each section's share of the text against its KIPP weight
==========  ============  ======================================================================

Answers are read through ``lablib.core.checks.Answers`` (``drawing.exercise_view``): typed, and
with the computed fields filled in (USG totals and ranks, idea values, budget lines and total,
the complaint ratio and band), so a picture shows the numbers the checks use. ``READS`` lists
what each picture reads. Every figure is at most 9 inches (900 px at ``png``'s 100 dpi) wide.

``picture(kind, answers)`` draws one (``lablib.picture`` is the public entry point) and
``png(figure)`` gives its bytes. In an assignment, ``lablib.notebook.live_pictures.PicturePanel``
shows an exercise's pictures under its form and redraws them as the participant types; in a
teaching notebook, ``lablib.notebook.practice.show`` displays a picture and
``lablib.notebook.practice.practice`` gives the ungraded widget, which redraws through the same panel.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import textwrap
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from lablib.core import formatting
from lablib.core.formatting import rupiah
from lablib.core.i18n import T, Text
from lablib.curriculum import facts
from lablib.curriculum.references import check_references
from lablib.notebook.drawing import (
    ACCENT,
    BASE,
    GOOD,
    INK,
    MONTHS_ID,
    MUTED,
    clean,
    date_label,
    empty_figure,
    exercise_view,
    field_value,
    new_figure,
    number,
    radar_axes,
    same_text,
    set_title,
    table_rows,
    wrapped,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Every answer each picture reads (exercise, field, or table.column), checked against the
#: definitions when this module loads: a renamed field fails here instead of drawing "no data".
#: The live pictures (``lablib.notebook.live_pictures``) redraw a picture only when the entries
#: of the exercises named here changed.
READS: dict[str, tuple[str, ...]] = {
    "kesiapan": ("drum-up.du2",),  # every 1–5 scale field
    "usg": (*(f"diagnose.dg1.masalah.{c}" for c in ("nama", "u", "s", "g", "total", "peringkat")),
            "diagnose.dg1.masalah_terpilih"),
    "fishbone": ("diagnose.dg2.penyebab.kategori", "diagnose.dg2.penyebab.penyebab", "diagnose.dg2.mengapa.jawaban",
                 "diagnose.dg2.akar_masalah", "diagnose.dg1.masalah_terpilih"),
    "stakeholder": tuple(f"diagnose.dg3.pemangku.{c}" for c in ("nama", "pengaruh", "kepentingan", "unsur")),
    "decision": ("diagnose.dg4.ide.nama", "diagnose.dg4.ide.rumusan", "diagnose.dg4.ide.nilai",
                 "diagnose.dg4.ide_terpilih",
                 *(f"diagnose.dg4.bobot_{k}" for k in facts.DECISION_CRITERIA),
                 *(f"diagnose.dg4.ide.skor_{k}" for k in facts.DECISION_CRITERIA)),
    "gantt": tuple(f"design.ds3.kegiatan.{c}" for c in ("nama", "mulai", "selesai", "pic", "tonggak")),
    "budget": (*(f"design.ds3.rab.{c}" for c in ("uraian", "volume", "satuan", "harga_satuan", "jumlah")),
               "design.ds3.total_rab", "design.ds3.sumber_dana"),
    "trial": (*(f"design.ds2.indikator.{c}" for c in ("nama", "satuan", "baseline", "target")),
              *(f"deliver.dv1.log.{c}" for c in ("tanggal", "hari_layanan", "dilayani", "aduan_masuk",
                                                 "aduan_selesai")),
              *(f"deliver.dv1.perubahan.{c}" for c in ("indikator", "baseline", "capaian")),
              "deliver.dv1.rasio_pengaduan", "deliver.dv1.band_pengaduan"),
    "kipp": tuple(f"display.dp1.{s}" for s in facts.KIPP_WEIGHTS),
}
REFERENCES = check_references(tuple(dict.fromkeys(r for refs in READS.values() for r in refs)))


def reads_exercises(kind: str) -> tuple[str, ...]:
    """The exercises whose answers a picture reads, its own first.

    >>> reads_exercises("fishbone")
    ('diagnose.dg2', 'diagnose.dg1')
    """
    own = exercise_for(kind)
    others = (".".join(ref.split(".")[:2]) for ref in READS[kind])
    return tuple(dict.fromkeys((own, *others)))


def _t(text: Text | str) -> str:
    return str(text)


# ------------------------------------------------------------------ DG1: USG ranking


def usg_ranking(answers: Mapping[str, Any]) -> Figure:
    """DG1: one horizontal bar per problem, length U+S+G, highest on top; the chosen problem
    in the accent colour. Reads ``diagnose.dg1``: ``masalah`` (nama, u, s, g) and
    ``masalah_terpilih``. A problem with a missing score is drawn with the scores it has and
    marked "skor belum lengkap". The bar length and the order are the ``total`` and
    ``peringkat`` that ``Answers`` computes (computed columns), so the picture ranks as the
    checks do; a problem without a computed total (a score missing) is drawn with the scores it
    has, after the ranked ones."""
    title = T("Prioritas masalah menurut USG", "Problem priority by USG")
    view = exercise_view("diagnose.dg1", answers)
    rows = table_rows(view, "masalah")
    if not rows:
        return empty_figure(title)
    chosen = (field_value(view, "masalah_terpilih") or "").strip()
    items = []
    for n, row in enumerate(rows, start=1):
        scores = [row.get(k) for k in ("u", "s", "g")]
        total = row.get("total")
        if not isinstance(total, int):  # not computed while a score is missing: draw what is there
            total = sum(s for s in scores if isinstance(s, int))
        name = (row.get("nama") or "").strip()
        label = clean(name) or f"Masalah {n}"
        if any(not isinstance(s, int) for s in scores):
            label += " " + _t(T("(skor belum lengkap)", "(scores incomplete)"))
        detail = "  ".join(f"{k.upper()}{s if isinstance(s, int) else '?'}" for k, s in zip("usg", scores))
        rank = row.get("peringkat")
        items.append((total, label, detail, bool(chosen) and name == chosen, n, rank))
    # by the computed rank (ties keep the participant's order); unranked problems last
    items.sort(key=lambda it: (not isinstance(it[5], int), it[5] if isinstance(it[5], int) else -it[0], it[4]))

    fig = new_figure(8, 1.4 + 0.5 * len(items))
    ax = fig.add_subplot()
    ys = list(range(len(items)))[::-1]  # the highest total on top
    colours = [ACCENT if it[3] else BASE for it in items]
    bars = ax.barh(ys, [it[0] for it in items], color=colours, height=0.6, gid="usg")
    for bar in bars:
        bar.set_gid("usg-bar")
    for y, it in zip(ys, items):
        ax.text(it[0] + 0.2, y, f"{it[0]}   ({it[2]})", va="center", fontsize=9, color=INK)
    ax.set_yticks(ys, [it[1] for it in items], fontsize=9)
    for tick, it in zip(ax.get_yticklabels(), items):
        if it[3]:
            tick.set_fontweight("bold")
            tick.set_color(ACCENT)
    ax.set_xlim(0, 3 * 5 + 5)
    ax.set_xticks(range(0, 16, 3))
    ax.set_xlabel(_t(T("Total U + S + G (3–15)", "Total U + S + G (3–15)")))
    ax.spines[["top", "right"]].set_visible(False)
    set_title(ax, title)
    if chosen and not any(it[3] for it in items):
        note = T("Masalah terpilih '{c}' tidak ada di daftar.", "Chosen problem '{c}' is not in the list.")
        fig.supxlabel(_t(note.format(c=clean(chosen, 30))), fontsize=9, color=ACCENT)
    elif chosen:
        fig.supxlabel(_t(T("Oranye = masalah terpilih", "Orange = chosen problem")), fontsize=9, color=MUTED)
    return fig


# ------------------------------------------------------------------ DG2: fishbone

FISHBONE_SHOWN = 4  # causes drawn per category; more are counted, not drawn


def fishbone(answers: Mapping[str, Any]) -> Figure:
    """DG2: the fishbone. The head is the chosen problem (``diagnose.dg1`` ``masalah_terpilih``),
    six bones are the categories of ``facts.FISHBONE_CATEGORIES`` with the ``penyebab`` rows
    (kategori, penyebab) on them, at most four per bone. The chosen ``akar_masalah`` is drawn
    bold in the accent colour. When the 5-why chain (``mengapa``: jawaban) is filled it is
    drawn under the fish as numbered steps."""
    from lablib.curriculum import facts

    title = T("Diagram tulang ikan: penyebab masalah", "Fishbone: causes of the problem")
    view = exercise_view("diagnose.dg2", answers)
    causes = [r for r in table_rows(view, "penyebab") if (r.get("penyebab") or "").strip()]
    whys = [r for r in table_rows(view, "mengapa") if (r.get("jawaban") or "").strip()]
    if not causes and not whys:
        return empty_figure(title)
    root = field_value(view, "akar_masalah")
    problem = field_value(exercise_view("diagnose.dg1", answers), "masalah_terpilih") or ""

    fig = new_figure(9, 6.2 + (0.35 * len(whys) + 0.6 if whys else 0))
    if whys:
        ax, ax_why = fig.subplots(2, 1, height_ratios=[6.2, 0.35 * len(whys) + 0.6])
    else:
        ax, ax_why = fig.add_subplot(), None
    ax.set_xlim(0, 12)
    ax.set_ylim(-5, 5)
    ax.set_axis_off()
    set_title(ax, title)
    ax.annotate("", xy=(9.3, 0), xytext=(0.3, 0), arrowprops={"arrowstyle": "-|>", "color": INK, "lw": 2})
    head = wrapped(problem, 22, lines=4) if problem else _t(
        T("Masalah prioritas\n(pilih di DG1)", "Priority problem\n(choose in DG1)"))
    ax.text(10.65, 0, head, ha="center", va="center", fontsize=9.5, fontweight="bold", color=INK,
            bbox={"boxstyle": "round,pad=0.5", "facecolor": "#fdf1e3", "edgecolor": ACCENT})

    by_cat: dict[str, list[str]] = {c: [] for c in facts.FISHBONE_CATEGORIES}
    uncategorised = 0
    for r in causes:
        cat = r.get("kategori")
        if cat in by_cat:
            by_cat[cat].append(r["penyebab"].strip())
        else:
            uncategorised += 1
    slots = [(2.3, 1), (5.0, 1), (7.7, 1), (2.3, -1), (5.0, -1), (7.7, -1)]
    for (x0, side), cat in zip(slots, facts.FISHBONE_CATEGORIES[:6]):
        ax.plot([x0, x0 + 1.4], [4.0 * side, 0], color=BASE, lw=1.6)
        ax.text(x0, 4.35 * side, clean(cat, 20), ha="center", va="center", fontsize=10, fontweight="bold",
                color="#2b4a70")
        items = by_cat[cat]
        for k, text in enumerate(items[:FISHBONE_SHOWN]):
            y = (3.2 - 0.8 * k) * side
            x = x0 + 1.4 * (1 - abs(y) / 4.0)
            ax.plot([x - 0.25, x], [y, y], color=BASE, lw=0.8)
            root_here = same_text(text, root)
            ax.text(x - 0.3, y, wrapped(text, 30), ha="right", va="center",
                    gid="fishbone-cause", fontsize=7.5, linespacing=1.1, color=ACCENT if root_here else INK, fontweight="bold" if root_here else "normal")
        if len(items) > FISHBONE_SHOWN:
            ax.text(x0 + 1.5, 0.35 * side, "+" + _t(T("{k} lainnya", "{k} more").format(k=len(items) - FISHBONE_SHOWN)),
                    fontsize=7.5, color=MUTED, va="center")
    notes = []
    if uncategorised:
        notes.append(_t(T("{k} penyebab belum diberi kategori.", "{k} causes have no category.").format(k=uncategorised)))
    if str(root or "").strip():
        notes.append(_t(T("Oranye tebal = akar masalah terpilih", "Bold orange = chosen root cause")))
    if notes:
        ax.text(0.0, -4.9, "   ".join(notes), fontsize=8, color=MUTED, va="bottom")
    if ax_why is not None:
        ax_why.set_axis_off()
        ax_why.set_xlim(0, 12)
        ax_why.set_ylim(len(whys) + 0.5, -0.6)
        ax_why.text(0, -0.4, _t(T("Rantai 5-mengapa (setiap baris menjawab \"mengapa?\" dari baris sebelumnya)",
                                  "5-why chain (each row answers \"why?\" of the row before)")),
                    fontsize=10, fontweight="bold", va="center")
        for k, r in enumerate(whys, start=1):
            text = r["jawaban"].strip()
            root_here = same_text(text, root)
            ax_why.text(0.2, k, f"{k}. " + clean(text, 110),
                        fontsize=8.5, va="center", gid="fishbone-why",
                        color=ACCENT if root_here else INK, fontweight="bold" if root_here else "normal")
    return fig


# ------------------------------------------------------------------ DG3: stakeholder grid


def stakeholder_grid(answers: Mapping[str, Any]) -> Figure:
    """DG3: influence (``pengaruh``) against interest (``kepentingan``), both 1–5, one dot per
    row of ``pemangku`` coloured by its pentahelix ``unsur``. The grid is cut where a score
    counts as high (``facts.STAKEHOLDER_HIGH_FROM``) into the four quadrants of
    ``facts.STAKEHOLDER_QUADRANTS``. Stakeholders at the same spot are spread a little so
    every dot shows; a stakeholder without both scores is listed under the grid."""
    from lablib.curriculum import facts

    title = T("Peta pemangku kepentingan: pengaruh dan kepentingan", "Stakeholder map: influence and interest")
    view = exercise_view("diagnose.dg3", answers)
    rows = table_rows(view, "pemangku")
    if not rows:
        return empty_figure(title)
    placed, unscored = [], []
    for n, r in enumerate(rows, start=1):
        name = wrapped(r.get("nama"), 18) or f"{_t(T('Pemangku', 'Stakeholder'))} {n}"
        p, i = r.get("pengaruh"), r.get("kepentingan")
        if isinstance(p, int) and isinstance(i, int) and 1 <= p <= 5 and 1 <= i <= 5:
            placed.append((name, i, p, r.get("unsur")))
        else:
            unscored.append(name)
    cut = facts.STAKEHOLDER_HIGH_FROM - 0.5
    fig = new_figure(8.5, 7)
    ax = fig.add_subplot()
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.axvline(cut, color=MUTED, lw=1)
    ax.axhline(cut, color=MUTED, lw=1)
    corners = {(True, True): (5.4, 5.4, "right", "top"), (True, False): (0.6, 5.4, "left", "top"),
               (False, True): (5.4, 0.6, "right", "bottom"), (False, False): (0.6, 0.6, "left", "bottom")}
    shade = {(True, True): "#fdf1e3", (True, False): "#eef3f9", (False, True): "#eef3f9", (False, False): "#f6f6f6"}
    for key, label in facts.STAKEHOLDER_QUADRANTS.items():
        x, y, ha, va = corners[key]
        ax.text(x, y, clean(label, 30), ha=ha, va=va, fontsize=9.5, fontweight="bold", color="#555555")
        xs = (cut, 5.5) if key[1] else (0.5, cut)
        ys = (cut, 5.5) if key[0] else (0.5, cut)
        ax.fill_between(xs, ys[0], ys[1], color=shade[key], zorder=0)
    palette = ["#1f77b4", "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#7f7f7f"]
    elements = [*facts.PENTAHELIX, None]
    seen: dict[tuple[int, int], int] = {}
    offsets = [(0, 0), (0, 0.2), (0, -0.2), (-0.3, 0.1), (-0.3, -0.1), (0, 0.4), (0, -0.4)]
    for element, colour in zip(elements, palette):
        pts = [pt for pt in placed if (pt[3] if pt[3] in facts.PENTAHELIX else None) == element]
        if not pts:
            continue
        xs, ys = [], []
        for name, i, p, _ in pts:
            k = seen.get((i, p), 0)
            seen[(i, p)] = k + 1
            dx, dy = offsets[k % len(offsets)]
            dx, dy = dx * (1 + k // len(offsets)), dy * (1 + k // len(offsets))
            xs.append(i + dx)
            ys.append(p + dy)
            right = i >= 5  # the last column labels to the left, inside the grid
            ax.annotate(name, (i + dx, p + dy), xytext=(-7 if right else 7, 0), textcoords="offset points",
                        fontsize=7.5, color=INK, va="center", ha="right" if right else "left", linespacing=1.05)
        label = clean(element, 20) if element else _t(T("(unsur belum diisi)", "(element not set)"))
        ax.scatter(xs, ys, s=60, color=colour, label=label, zorder=3, edgecolors="white", gid="stakeholder")
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.set_xlabel(_t(T("Kepentingan terhadap inovasi (1–5)", "Interest in the innovation (1–5)")))
    ax.set_ylabel(_t(T("Pengaruh (1–5)", "Influence (1–5)")))
    set_title(ax, title)
    if placed:
        ax.legend(title=_t(T("Unsur pentahelix", "Pentahelix element")), fontsize=8, title_fontsize=8.5,
                  loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    if unscored:
        more = f" +{len(unscored) - 5}" if len(unscored) > 5 else ""
        fig.supxlabel(_t(T("Belum diberi skor lengkap: ", "Scores incomplete: "))
                      + ", ".join(u.replace("\n", " ") for u in unscored[:5]) + more,
                      fontsize=8.5, color=ACCENT)
    return fig


# ------------------------------------------------------------------ DG4: weighted decision matrix


def decision_matrix(answers: Mapping[str, Any]) -> Figure:
    """DG4: one row per idea (``ide``: nama, ``skor_<criterion>``), one column per criterion of
    ``facts.DECISION_CRITERIA`` with its weight (``bobot_<criterion>``) in the header, cells
    coloured by the 1–5 score, and a last column with each idea's value: the ``nilai`` that
    ``Answers`` computes (a computed column), the value the DG4 checks compare. The highest
    value is highlighted; the declared ``ide_terpilih`` is marked ✓. A missing score, or a value
    that cannot be computed yet (a weight or score missing), is shown as "–"."""
    import numpy as np
    from matplotlib.patches import Rectangle

    from lablib.curriculum import facts

    title = T("Matriks keputusan berbobot: memilih ide", "Weighted decision matrix: choosing an idea")
    view = exercise_view("diagnose.dg4", answers)
    ideas = table_rows(view, "ide")
    if not ideas:
        return empty_figure(title)
    keys = list(facts.DECISION_CRITERIA)
    weights = [number(field_value(view, f"bobot_{k}")) for k in keys]
    scores = np.full((len(ideas), len(keys)), np.nan)
    for r, idea in enumerate(ideas):
        for c, k in enumerate(keys):
            v = idea.get(f"skor_{k}")
            if isinstance(v, int) and 1 <= v <= 5:
                scores[r, c] = v
    totals = [number(idea.get("nilai")) for idea in ideas]
    best = max((t for t in totals if t is not None), default=None)
    chosen = field_value(view, "ide_terpilih")
    names = [clean(idea.get("nama") or idea.get("rumusan"), 28) or f"Ide {n}" for n, idea in enumerate(ideas, 1)]

    fig = new_figure(9, 2.2 + 0.55 * len(ideas))
    ax = fig.add_subplot()
    ax.imshow(np.ma.masked_invalid(scores), cmap="YlGn", vmin=0, vmax=8, aspect="auto")
    for r in range(len(ideas)):
        for c in range(len(keys)):
            v = scores[r, c]
            ax.text(c, r, "–" if np.isnan(v) else f"{int(v)}", ha="center", va="center", fontsize=10,
                    color=INK)
        winner = best is not None and best > 0 and totals[r] is not None and abs(totals[r] - best) < 1e-9
        ax.text(len(keys) - 0.35, r, formatting.number(totals[r]) if totals[r] is not None else "–",
                ha="left", va="center", fontsize=10.5,
                fontweight="bold" if winner else "normal", color=ACCENT if winner else INK, gid="decision-total")
        if winner:
            ax.add_patch(Rectangle((-0.5, r - 0.5), len(keys) + 0.9, 1, fill=False, edgecolor=ACCENT, lw=2.2,
                                   clip_on=False))
    heads = []
    for k, w in zip(keys, weights):
        label = "\n".join(textwrap.wrap(facts.DECISION_CRITERIA[k], 14))
        heads.append(f"{label}\n" + _t(T("bobot", "weight")) + (f" {formatting.percent(w, 2)}" if w is not None else " ?"))
    ax.set_xticks(range(len(keys)), heads, fontsize=8.5)
    ax.xaxis.tick_top()
    ax.set_xlim(-0.5, len(keys) + 0.5)
    labels = []
    for idea, name in zip(ideas, names):
        mark = " ✓" if same_text(idea.get("nama"), chosen) else ""
        labels.append(name + mark)
    ax.set_yticks(range(len(ideas)), labels, fontsize=9)
    ax.text(len(keys) - 0.35 + 0.4, -0.75, _t(T("Nilai", "Value")), ha="center", va="bottom", fontsize=9,
            fontweight="bold")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    set_title(ax, title)
    notes = [_t(T("Nilai dihitung otomatis: Σ(bobot × skor) ÷ jumlah bobot; kotak oranye = nilai tertinggi; "
                  "✓ = ide terpilih",
                  "Value computed for you: Σ(weight × score) ÷ sum of weights; orange box = highest value; "
                  "✓ = chosen idea"))]
    wsum = sum(w or 0 for w in weights)
    if any(w is None for w in weights) or abs(wsum - facts.DECISION_WEIGHT_TOTAL) > 1e-6:
        notes.append(_t(T("Perhatian: jumlah bobot {s}, seharusnya {t}.",
                          "Note: the weights add up to {s}; they should add up to {t}.").format(
            s=formatting.number(wsum), t=formatting.number(facts.DECISION_WEIGHT_TOTAL))))
    fig.supxlabel("\n".join(notes), fontsize=8.5, color=MUTED)
    return fig


# ------------------------------------------------------------------ DS3: Gantt chart and budget table


def _month_ticks(first: int, last: int) -> tuple[list[int], list[str]]:
    """Tick positions (date ordinals) at month starts, or at the 1st and 15th for short plans."""
    start, end = _dt.date.fromordinal(first), _dt.date.fromordinal(last)
    days = (1, 15) if last - first < 70 else (1,)
    ticks, labels = [], []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        for d in days:
            day = _dt.date(y, m, d)
            if first <= day.toordinal() <= last:
                ticks.append(day.toordinal())
                labels.append(f"{d} {MONTHS_ID[m - 1]}" if len(days) > 1 else f"{MONTHS_ID[m - 1]} {y % 100:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if len(ticks) > 14:
        ticks, labels = ticks[::2], labels[::2]
    return ticks, labels


def gantt(answers: Mapping[str, Any]) -> Figure:
    """DS3: one bar per activity (``kegiatan``: nama, mulai, selesai) from its start to the end
    of its last day, in plan order from the top, labelled with its ``pic``; an activity with a
    ``tonggak`` (milestone) gets a ◆ at its end. The Deliver (trial) window of the bimtek
    calendar is shaded. An activity without both dates is listed without a bar; one that ends
    before it starts is drawn red."""
    title = T("Rencana aksi: jadwal kegiatan (Gantt)", "Action plan: activity schedule (Gantt)")
    view = exercise_view("design.ds3", answers)
    rows = table_rows(view, "kegiatan")
    if not rows:
        return empty_figure(title)
    items = []
    for n, r in enumerate(rows, start=1):
        name = wrapped(r.get("nama"), 30) or f"{_t(T('Kegiatan', 'Activity'))} {n}"
        start, end = r.get("mulai"), r.get("selesai")
        if isinstance(start, _dt.date) and isinstance(end, _dt.date):
            items.append((name, start.toordinal(), end.toordinal(), r))
        else:
            items.append((name + "\n" + _t(T("(tanggal belum lengkap)", "(dates incomplete)")), None, None, r))
    dated = [it for it in items if it[1] is not None]
    fig = new_figure(9, 1.7 + 0.5 * len(items))
    ax = fig.add_subplot()
    ys = list(range(len(items)))[::-1]
    if dated:
        first = min(min(it[1], it[2]) for it in dated)
        last = max(max(it[1], it[2]) for it in dated) + 1
        cal = view.calendar
        w0, w1 = cal.deliver_start.toordinal(), cal.deliver_end.toordinal() + 1
        if w0 < last and w1 > first:
            ax.axvspan(max(w0, first - 3), min(w1, last + 3), color="#e8f5e9", zorder=0)
            ax.text(max(w0, first - 3) + 1, len(items) - 0.45, _t(T("masa uji coba", "trial window")),
                    fontsize=8, color=GOOD, va="bottom")
        span = max(last - first, 1)
        for y, (_name, a, b, r) in zip(ys, items):
            if a is None:
                continue
            lo, hi = min(a, b), max(a, b) + 1
            bad = b < a
            ax.barh(y, hi - lo, left=lo, height=0.5, color="#c62828" if bad else BASE, gid="gantt-bar")
            note = clean(r.get("pic"), 26)
            if bad:
                note = _t(T("selesai sebelum mulai", "ends before it starts")) + (f" · {note}" if note else "")
            if r.get("tonggak"):
                ax.plot([hi], [y], marker="D", color=ACCENT, markersize=7, zorder=3)
                note += ("  ◆ " if note else "◆ ") + clean(r.get("tonggak"), 30)
            ax.text(hi + span * 0.025, y, note, va="center", fontsize=7.5, color="#333333")
        ticks, labels = _month_ticks(first, last)
        ax.set_xticks(ticks, labels, fontsize=8.5)
        ax.set_xlim(first - span * 0.02, last + span * 0.45)
        ax.grid(axis="x", color="#e0e0e0", lw=0.6)
    else:
        ax.set_xticks([])
        ax.text(0.5, 0.5, _t(T("Belum ada kegiatan dengan tanggal mulai dan selesai.",
                               "No activity has both a start and an end date yet.")),
                transform=ax.transAxes, ha="center", va="center", color=MUTED)
    ax.set_yticks(ys, [it[0] for it in items], fontsize=8.5)
    ax.set_ylim(-0.7, len(items) - 0.2)
    ax.spines[["top", "right"]].set_visible(False)
    set_title(ax, title)
    return fig


def budget_table(answers: Mapping[str, Any]) -> Figure:
    """DS3: the RAB as a table (``rab``: uraian, volume, satuan, harga_satuan, jumlah) in rupiah
    ("Rp1.250.000", ``lablib.core.formatting.rupiah``) and the ``sumber_dana`` under them. The
    line totals (``jumlah``) and the budget total (``total_rab``) are the values ``Answers``
    computes (computed fields), the ones the checks and the DS1 ``anggaran`` use; a line without
    its volume or unit price has no total yet, and then neither has the budget ("—")."""
    title = T("Rincian anggaran (RAB)", "Budget lines (RAB)")
    view = exercise_view("design.ds3", answers)
    rows = table_rows(view, "rab")
    if not rows:
        return empty_figure(title)
    body = []
    for n, r in enumerate(rows, start=1):
        body.append([str(n), clean(r.get("uraian"), 44) or "—", formatting.number(number(r.get("volume"))),
                     clean(r.get("satuan"), 26) or "—", rupiah(number(r.get("harga_satuan"))),
                     rupiah(number(r.get("jumlah")))])
    total = number(field_value(view, "total_rab"))
    summary = [["", _t(T("Total RAB (dihitung otomatis)", "Budget total (computed for you)")), "", "", "",
                rupiah(total)]]
    header = [_t(x) for x in (T("No", "No"), T("Uraian belanja", "Item"), T("Volume", "Volume"),
                               T("Satuan", "Unit"), T("Harga satuan", "Unit price"), T("Jumlah", "Line total"))]
    cells = body + summary
    fig = new_figure(9, 1.0 + 0.3 * (len(cells) + 1))
    ax = fig.add_subplot()
    ax.set_axis_off()
    widths = [0.04, 0.36, 0.07, 0.17, 0.13, 0.23]
    table = ax.table(cellText=cells, colLabels=header, bbox=(0, 0, 1, 1), cellLoc="left", colWidths=widths)
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    for (r, c), cell in table.get_celld().items():
        cell.PAD = 0.006 / widths[c]  # the same padding in every column (PAD is a fraction of the width)
        cell.set_edgecolor("#cccccc")
        if c in (2, 4, 5):
            cell.get_text().set_horizontalalignment("right")
            cell._loc = "right"
        if r == 0:
            cell.set_facecolor("#2b4a70")
            cell.get_text().set_color("white")
            cell.get_text().set_fontweight("bold")
        elif r > len(body):
            cell.set_facecolor("#f3f3f3")
            cell.get_text().set_fontweight("bold")
    set_title(ax, title)
    source = field_value(view, "sumber_dana")
    foot = _t(T("Sumber dana: {s}", "Funding source: {s}").format(s=clean(source, 40) if source else "—"))
    if total is None:
        foot += "   ·   " + _t(T("Total belum dapat dihitung: lengkapi volume dan harga satuan setiap baris.",
                                 "The total cannot be computed yet: give every line its volume and unit price."))
    fig.supxlabel(foot, fontsize=8.5, color=MUTED)
    return fig


# ------------------------------------------------------------------ DV1 (+DS2): trial trend


def _ds2_indicators(answers: Mapping[str, Any]) -> list[dict]:
    """DS2 indicator rows (nama, satuan, baseline, target, arah), typed when Design is defined."""
    view = exercise_view("design.ds2", answers)
    if view is not None:
        return table_rows(view, "indikator")
    raw = answers.get("design.ds2") if isinstance(answers, Mapping) else None
    rows = raw.get("indikator") if isinstance(raw, dict) else None
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def measured_in_days(indicator: dict) -> bool:
    """Whether a DS2 indicator row is counted in days ("hari" in its nama or satuan)."""
    text = f"{indicator.get('nama') or ''} {indicator.get('satuan') or ''}".lower()
    return bool(re.search(r"\bhari\b", text))


def trial_trend(answers: Mapping[str, Any]) -> Figure:
    """DV1 against DS2: how the trial moved the indicators.

    Up to three panels, each drawn when its data is there:

    1. average service days per week (``deliver.dv1`` ``log``: tanggal, hari_layanan) with the
       baseline and target of the DS2 indicator measured in days (``design.ds2`` ``indikator``
       whose nama or satuan says "hari");
    2. people served per week (``dilayani``), with the complaints resolved over the whole
       trial (``aduan_masuk``, ``aduan_selesai``) and their share and IID band in the panel
       title: the ``rasio_pengaduan`` and ``band_pengaduan`` that ``Answers`` computes;
    3. progress towards target of every DV1 ``perubahan`` row matched by name to a DS2
       indicator: (capaian − baseline) ÷ (target − baseline), 100 % = target reached, with the
       row's ``baseline`` as ``Answers`` computes it (from DS2). This share is the picture's own:
       no check reads it.
    """

    title = T("Uji coba: hasil mingguan dibanding baseline dan target",
              "Trial: weekly results against baseline and target")
    view = exercise_view("deliver.dv1", answers)
    log = table_rows(view, "log")
    indicators = _ds2_indicators(answers)
    progress = []
    for r in table_rows(view, "perubahan"):
        match = next((i for i in indicators if same_text(i.get("nama"), r.get("indikator"))), None)
        base, result = number(r.get("baseline")), number(r.get("capaian"))
        if match is None:
            continue
        base = base if base is not None else number(match.get("baseline"))
        target = number(match.get("target"))
        if base is None or target is None or result is None or target == base:
            continue
        progress.append((clean(r.get("indikator"), 90), 100 * (result - base) / (target - base), base, result, target))
    days = [number(r.get("hari_layanan")) for r in log]
    served = [number(r.get("dilayani")) for r in log]
    show_days = any(d is not None for d in days)
    show_served = any(v is not None for v in served)
    if not (show_days or show_served or progress):
        return empty_figure(title)

    panels = [p for p, on in (("days", show_days), ("served", show_served), ("progress", progress)) if on]
    heights = {"days": 3.2, "served": 2.6, "progress": 0.7 + 0.65 * len(progress)}
    fig = new_figure(9, 0.8 + sum(heights[p] for p in panels))
    axes = fig.subplots(len(panels), 1, height_ratios=[heights[p] for p in panels], squeeze=False)[:, 0]
    fig.suptitle(_t(title), x=0.01, ha="left", fontsize=12, fontweight="bold")
    ticks = list(range(len(log)))
    tick_labels = []
    for n, r in enumerate(log, start=1):
        day = r.get("tanggal")
        tick_labels.append(date_label(day)[:-3] if isinstance(day, _dt.date) else f"M{n}")
    step = max(1, len(log) // 13 + (1 if len(log) % 13 else 0)) if len(log) > 13 else 1

    for ax, panel in zip(axes, panels):
        ax.spines[["top", "right"]].set_visible(False)
        if panel == "days":
            xs = [x for x, d in zip(ticks, days) if d is not None]
            ys = [d for d in days if d is not None]
            ax.plot(xs, ys, marker="o", color=ACCENT, lw=2, gid="trial-days",
                    label=_t(T("Rata-rata lama layanan", "Average service time")))
            ind = next((i for i in indicators if measured_in_days(i)), None)
            levels = list(ys)
            if ind is not None:
                for key, colour, style, name in (("baseline", MUTED, "--", T("Baseline", "Baseline")),
                                                 ("target", GOOD, "-.", T("Target", "Target"))):
                    v = number(ind.get(key))
                    if v is not None:
                        levels.append(v)
                        ax.axhline(v, color=colour, ls=style, lw=1.4, label=f"{_t(name)} {formatting.number(v)}")
                ax.set_title(clean(ind.get("nama"), 90), loc="left", fontsize=9.5, color="#333333")
            else:
                ax.set_title(_t(T("Indikator DS2 dalam satuan hari belum ada (impor jawaban Design).",
                                  "No DS2 indicator in days yet (import the Design answers).")),
                             loc="left", fontsize=9.5, color=ACCENT)
            top = max(levels) if levels else 1
            ax.set_ylim(0, top * 1.15 + 0.5)
            ax.set_ylabel(_t(T("hari", "days")))
            ax.legend(fontsize=8, frameon=False, loc="upper right")
            ax.set_xticks(ticks[::step], tick_labels[::step], fontsize=8)
        elif panel == "served":
            xs = [x for x, v in zip(ticks, served) if v is not None]
            bars = ax.bar(xs, [v for v in served if v is not None], color=BASE, width=0.6)
            for bar in bars:
                bar.set_gid("trial-served")
            total = sum(v for v in served if v is not None)
            head = _t(T("Warga dilayani per minggu (total {n})", "People served per week (total {n})").format(
                n=formatting.number(total, 0)))
            received = sum(number(r.get("aduan_masuk")) or 0 for r in log)
            resolved = sum(number(r.get("aduan_selesai")) or 0 for r in log)
            pct = number(field_value(view, "rasio_pengaduan"))  # computed by Answers, as the checks read it
            band = field_value(view, "band_pengaduan")
            if received and pct is not None:
                head += "  ·  " + _t(T("pengaduan selesai {r} dari {m} ({p}, band IID {b})",
                                       "complaints resolved {r} of {m} ({p}, IID band {b})").format(
                    r=formatting.number(resolved), m=formatting.number(received), p=formatting.percent(pct),
                    b=clean(band, 30) or "–"))
            ax.set_title(head, loc="left", fontsize=9.5, color="#333333")
            ax.set_ylabel(_t(T("orang", "people")))
            ax.set_xticks(ticks[::step], tick_labels[::step], fontsize=8)
            ax.set_xlim(-0.6, max(len(log), 1) - 0.4)
        else:
            ys = [1.2 * k for k in range(len(progress))][::-1]
            values = [min(max(p[1], -50), 150) for p in progress]
            colours = [GOOD if p[1] >= 100 else ACCENT if p[1] >= 0 else "#b71c1c" for p in progress]
            ax.barh(ys, values, color=colours, height=0.45, gid="trial-progress")
            ax.axvline(100, color=GOOD, ls="-.", lw=1.2)
            ax.axvline(0, color=MUTED, lw=0.8)
            for y, p, v in zip(ys, progress, values):
                ax.text(0, y + 0.3, p[0], va="bottom", ha="left", fontsize=8.5, color="#333333")
                ax.text(max(v, 0) + 2, y, f"{formatting.percent(p[1], 0)}  ({formatting.number(p[2])} → "
                        f"{formatting.number(p[3])}; target {formatting.number(p[4])})", va="center", fontsize=8)
            ax.set_yticks([])
            ax.set_ylim(-0.5, max(ys) + 0.9)
            ax.set_xlim(min(-5, min(values) - 5), 190)
            ax.set_xticks([t for t in range(-50, 151, 25) if t >= min(0, min(values))])
            ax.spines["left"].set_visible(False)
            ax.set_xlabel(_t(T("Kemajuan menuju target (%): 0 = baseline, 100 = target tercapai",
                               "Progress to target (%): 0 = baseline, 100 = target reached")), fontsize=8.5)
            ax.set_title(_t(T("Capaian akhir uji coba per indikator DS2", "End-of-trial result per DS2 indicator")),
                         loc="left", fontsize=9.5, color="#333333")
    return fig


# ------------------------------------------------------------------ radars: DU2 readiness, DP1 KIPP


def readiness_radar(answers: Mapping[str, Any]) -> Figure:
    """DU2: the OPD's 1–5 self-rating on LAN's three conditions and OECD's six skills.

    Reads every 1–5 scale field of ``drum-up.du2``; an unrated item is drawn at 0 and its
    label marked "(belum dinilai)"."""
    from lablib.core.fields import Scale

    title = T("Kesiapan OPD: penilaian mandiri (1–5)", "OPD readiness: self-rating (1–5)")
    view = exercise_view("drum-up.du2", answers)
    scales = [f for f in view.exercise.fields if isinstance(f, Scale)] if view else []
    values = [field_value(view, f.id) for f in scales]
    if not scales or all(v is None for v in values):
        return empty_figure(title)
    labels = []
    for f, v in zip(scales, values):
        name = f.label.split(":", 1)[-1].strip()
        name = re.sub(r"\s*\(.*\)$", "", name)
        labels.append(clean(name, 24) + ("" if isinstance(v, int) else "\n" + _t(T("(belum dinilai)", "(not rated)"))))
    points = [float(v) if isinstance(v, int) else 0.0 for v in values]
    fig = new_figure(6.5, 5.6)
    ax = radar_axes(fig, labels, [(points, _t(T("Nilai OPD", "OPD rating")), {"color": ACCENT, "marker": "o"})],
                5.3, [1, 2, 3, 4, 5], ["1", "2", "3", "4", "5"])
    ax.set_title(_t(title), fontsize=12, fontweight="bold", pad=18)
    return fig


def kipp_radar(answers: Mapping[str, Any]) -> Figure:
    """DP1: does the proposal put its words where KIPP puts its points?

    One axis per KIPP section with a weight above 0 (``facts.KIPP_WEIGHTS``; the ringkasan
    weighs 0 and is left out). The dashed line is each section's share of the KIPP weight
    (signifikansi 30 %); the filled line is the section's share of the words written in those
    sections. A section that takes much of the weight but little of the text is the first to
    strengthen. Each axis label also gives the section's word count and, against the DP1
    definition's ``min_words``, a ✓ (long enough) or ✗ (too short or empty). Reads the
    section fields of ``display.dp1`` (field id = KIPP section key).
    """
    from lablib.core.fields import word_count
    from lablib.curriculum import facts

    title = T("Proposal KIPP: porsi tulisan dibanding bobot penilaian", "KIPP proposal: share of text vs weight")
    view = exercise_view("display.dp1", answers)
    sections = [s for s, w in facts.KIPP_WEIGHTS.items() if w > 0]
    if view is not None:
        known = {f.id for f in view.exercise.fields}
        sections = [s for s in sections if s in known]
    if view is None or len(sections) < 3:
        return empty_figure(title)
    words = [word_count(field_value(view, s) if isinstance(field_value(view, s), str) else "") for s in sections]
    total_words = sum(words)
    total_weight = sum(facts.KIPP_WEIGHTS[s] for s in sections)
    weight_share = [100 * facts.KIPP_WEIGHTS[s] / total_weight for s in sections]
    labels = []
    for s, n in zip(sections, words):
        f = view.exercise.field(s)
        minimum = getattr(f, "min_words", 0) or 1
        mark = "✓" if n >= minimum else "✗"
        name = "\n".join(textwrap.wrap(clean(f.label, 48), 20))
        labels.append(f"{name} ({formatting.number(facts.KIPP_WEIGHTS[s])})\n{n} {_t(T('kata', 'words'))} {mark}")
    series = [(weight_share, _t(T("Bobot KIPP (%)", "KIPP weight (%)")),
               {"color": MUTED, "linestyle": "--", "linewidth": 1.2, "fill": False})]
    if total_words:
        text_share = [100 * n / total_words for n in words]
        series.append((text_share, _t(T("Porsi tulisan Anda (%)", "Your share of text (%)")),
                       {"color": ACCENT, "marker": "o", "linewidth": 1.8}))
    else:
        text_share = [0.0]
    top = max([*weight_share, *text_share])
    rmax = 10 * (int(top // 10) + 1)
    ticks = list(range(10, rmax + 1, 10))
    fig = new_figure(7.5, 6.5)
    ax = radar_axes(fig, labels, series, rmax, ticks, [f"{t}%" for t in ticks])
    ax.set_title(_t(title), fontsize=12, fontweight="bold", pad=24)
    ax.legend(loc="upper right", bbox_to_anchor=(1.25, 1.12), fontsize=8, frameon=False)
    if not total_words:
        ax.text(0.5, 0.5, _t(T("Belum ada data:\nbelum ada bagian yang ditulis.", "No data yet:\nno section written.")),
                transform=ax.transAxes, ha="center", va="center", color=MUTED, fontsize=10)
    return fig


# ------------------------------------------------------------------ dispatch

#: kind -> (drawing function, the exercise whose answers it reads)
KINDS: dict[str, tuple[Callable[[Mapping[str, Any]], Figure], str]] = {
    "kesiapan": (readiness_radar, "drum-up.du2"),
    "usg": (usg_ranking, "diagnose.dg1"),
    "fishbone": (fishbone, "diagnose.dg2"),
    "stakeholder": (stakeholder_grid, "diagnose.dg3"),
    "decision": (decision_matrix, "diagnose.dg4"),
    "gantt": (gantt, "design.ds3"),
    "budget": (budget_table, "design.ds3"),
    "trial": (trial_trend, "deliver.dv1"),
    "kipp": (kipp_radar, "display.dp1"),
}


#: kind -> (caption, alt text): what a participant reads under the picture, and what a screen
#: reader says instead of it.
ABOUT: dict[str, tuple[Text, Text]] = {
    "kesiapan": (T("Radar kesiapan OPD", "OPD readiness radar"),
                 T("Grafik radar penilaian mandiri kesiapan OPD, skala 1 sampai 5 untuk setiap syarat dan "
                   "kecakapan.", "Radar chart of the OPD's 1-to-5 self-rating on each condition and skill.")),
    "usg": (T("Prioritas masalah menurut USG", "Problem priority by USG"),
            T("Grafik batang mendatar: satu batang per masalah, panjangnya total U+S+G, urut dari peringkat "
              "1; masalah terpilih berwarna oranye.", "Horizontal bar chart: one bar per problem, its length "
              "the U+S+G total, ranked from 1; the chosen problem in orange.")),
    "fishbone": (T("Diagram tulang ikan", "Fishbone diagram"),
                 T("Diagram tulang ikan: masalah prioritas di kepala, penyebab pada enam tulang kategori, akar "
                   "masalah tebal oranye, dan rantai 5-mengapa di bawahnya.", "Fishbone diagram: the priority "
                   "problem at the head, causes on six category bones, the root cause in bold orange, and the "
                   "5-why chain below.")),
    "stakeholder": (T("Peta pemangku kepentingan", "Stakeholder map"),
                    T("Peta empat kuadran: kepentingan mendatar, pengaruh tegak, satu titik per pemangku "
                      "kepentingan berwarna menurut unsur pentahelix.", "Four-quadrant map: interest across, "
                      "influence up, one dot per stakeholder coloured by pentahelix element.")),
    "decision": (T("Matriks keputusan berbobot", "Weighted decision matrix"),
                 T("Tabel warna: satu baris per ide, satu kolom per kriteria dengan bobotnya, skor 1–5 di sel, "
                   "dan nilai tiap ide; nilai tertinggi dibingkai oranye.", "Colour table: one row per idea, "
                   "one column per weighted criterion, 1–5 scores in the cells and each idea's value; the "
                   "highest value framed in orange.")),
    "gantt": (T("Jadwal kegiatan (Gantt)", "Activity schedule (Gantt)"),
              T("Bagan Gantt: satu batang per kegiatan dari tanggal mulai sampai selesai, penanggung jawab dan "
                "tonggak di ujungnya, masa uji coba diarsir hijau.", "Gantt chart: one bar per activity from "
                "start to end, person in charge and milestone at its end, the trial window shaded green.")),
    "budget": (T("Rincian anggaran (RAB)", "Budget lines (RAB)"),
               T("Tabel RAB: uraian, volume, satuan, harga satuan, dan jumlah setiap belanja dalam rupiah, "
                 "dengan total RAB.", "Budget table: item, volume, unit, unit price and line total in rupiah, "
                 "with the budget total.")),
    "trial": (T("Tren uji coba", "Trial trend"),
              T("Grafik uji coba: lama layanan per minggu terhadap baseline dan target, warga dilayani per "
                "minggu, dan kemajuan setiap indikator menuju target.", "Trial charts: service time per week "
                "against baseline and target, people served per week, and each indicator's progress to "
                "target.")),
    "kipp": (T("Radar KIPP", "KIPP radar"),
             T("Grafik radar: porsi tulisan setiap bagian proposal dibanding bobot penilaian KIPP, dengan "
               "jumlah kata per bagian.", "Radar chart: each proposal section's share of the text against "
               "its KIPP weight, with the word count of each section.")),
}


def picture(kind: str, answers: Mapping[str, Any] | None = None) -> Figure:
    """Draw one picture from a stage's answers mapping.

    ``kind`` is one of ``usg``, ``fishbone``, ``stakeholder``, ``decision``, ``gantt``,
    ``budget``, ``trial``, ``kipp``. ``answers`` is ``{exercise_id: {field: value}}`` (the
    answers file's shape, e.g. ``lablib.load_answers(...)`` or
    ``lablib.curriculum.samples.model_answers("diagnose")``). Returns a
    ``matplotlib.figure.Figure``; show it in a notebook with ``lablib.notebook.practice.show``.
    """
    exercise_for(kind)  # an unknown kind is a ValueError that lists the known ones
    draw, _ = KINDS[kind]
    return draw(answers if isinstance(answers, Mapping) else {})


def exercise_for(kind: str) -> str:
    """The exercise whose answers a picture of this kind reads.

    >>> exercise_for("usg")
    'diagnose.dg1'
    """
    if kind not in KINDS:
        raise ValueError(f"unknown picture kind {kind!r}; expected one of {', '.join(KINDS)}")
    return KINDS[kind][1]


def png(figure: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    figure.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()

