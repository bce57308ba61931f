"""Pictures in the teaching notebooks: ``show`` displays one, ``practice`` lets a participant
play with one.

``show(kind, answers, caption=...)`` displays a picture (``lablib.notebook.pictures``) as PNG, with an
escaped caption such as "Data fiktif untuk latihan".

``practice(kind)`` gives an ungraded widget: the entries start from the worked example (data
fiktif) or from the answers given, and the picture redraws shortly after an entry changes,
through the same ``lablib.notebook.live_pictures.PicturePanel`` the assignments use. Nothing
is saved or graded. Where no one can click (``LABLIB_HEADLESS=1``, nbgrader, plain Python) the
same picture is shown once, statically, with a note. There is one widget builder per kind
(``_PRACTICE``); it is given the starting answers and the ``ipywidgets`` module.

IPython and ipywidgets are imported only when a picture is shown.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from lablib.core.i18n import T
from lablib.curriculum.references import check_references
from lablib.notebook.drawing import exercise_view, number
from lablib.notebook.pictures import exercise_for, measured_in_days, picture, png

# The answers each practice form reads and writes, checked against the definitions on import:
# a renamed field fails here instead of showing an empty practice form.
REFERENCES = check_references((
    "diagnose.dg1.masalah", "diagnose.dg1.masalah_terpilih", "diagnose.dg2.penyebab",
    "diagnose.dg2.akar_masalah", "diagnose.dg3.pemangku.nama", "diagnose.dg3.pemangku.unsur",
    "diagnose.dg3.pemangku.pengaruh", "diagnose.dg4", "design.ds3.kegiatan", "design.ds2.indikator",
    "deliver.dv1.log", "deliver.dv1.perubahan", "display.dp1", "drum-up.du2"))

if TYPE_CHECKING:
    from matplotlib.figure import Figure


# ------------------------------------------------------------------ display

def show(what: str | Figure, answers: Mapping[str, Any] | None = None, *, caption: str = "") -> None:
    """Display a picture in the notebook as a PNG: ``show("usg", answers)`` or ``show(figure)``.

    ``caption`` (escaped) is shown under it, e.g. "Data fiktif untuk latihan".
    """
    import html

    from IPython.display import HTML, Image, display

    figure = picture(what, answers) if isinstance(what, str) else what
    display(Image(data=png(figure)))
    if caption:
        display(HTML(f'<p style="font-size:90%;color:#555;margin-top:0"><em>{html.escape(caption)}</em></p>'))


# ------------------------------------------------------------------ practice widgets (ungraded)

#: What a widget builder returns: the widget box, the controls to watch, and a function that
#: reads the entries back as a stage's answers mapping.
Built = tuple[Any, list, Callable[[], dict]]


def _example(exercise_id: str) -> dict:
    """The worked example's answers for the stage of an exercise (data fiktif)."""
    from lablib.curriculum.samples import model_answers

    stage = exercise_id.split(".", 1)[0]
    return model_answers(stage)


def _numbers(text: str) -> list[float | None]:
    """Numbers typed in a box, separated by spaces, semicolons or new lines ("7,5" is 7.5)."""
    from lablib.core.fields import AnswerError, Number

    out: list[float | None] = []
    for token in re.split(r"[\s;]+", text or ""):
        if token:
            try:
                out.append(Number("angka", "angka").coerce(token))
            except AnswerError:
                out.append(None)
    return out


def _day(value: Any) -> _dt.date | None:
    """A date stored as ISO text ("2025-08-17", or a datetime's text), else ``None``."""
    try:
        return _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _as_int(value: Any, default: int = 3) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5 else default


def _dict(value: Any) -> dict:
    return dict(value) if isinstance(value, dict) else {}


def _table(entry: dict, table: str) -> list[dict]:
    rows = entry.get(table)
    return [dict(r) for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _practice_usg(start: Mapping[str, Any], w: Any) -> Built:
    entry = _dict(start.get("diagnose.dg1"))
    rows = _table(entry, "masalah")[:7] or [{"nama": f"Masalah {n}"} for n in (1, 2, 3)]
    lines, controls = [], []
    for r in rows:
        name = w.Text(continuous_update=False, value=str(r.get("nama") or ""), layout=w.Layout(width="340px"))
        sliders = [w.IntSlider(continuous_update=False, value=_as_int(r.get(k)), min=1, max=5, description=k.upper(),
                               layout=w.Layout(width="190px"), style={"description_width": "20px"}) for k in "usg"]
        lines.append(w.HBox([name, *sliders]))
        controls.append((name, sliders))
    names = [str(r.get("nama") or "") for r in rows]
    first = names.index(entry["masalah_terpilih"]) if entry.get("masalah_terpilih") in names else 0
    chosen = w.Dropdown(options=[(f"Masalah ke-{n}", n - 1) for n in range(1, len(rows) + 1)], value=first,
                        description="Terpilih:")

    def read() -> dict:
        masalah = [{"nama": name.value, "u": s[0].value, "s": s[1].value, "g": s[2].value} for name, s in controls]
        return {"diagnose.dg1": {"masalah": masalah, "masalah_terpilih": masalah[chosen.value]["nama"]}}

    watch = [c for name, s in controls for c in (name, *s)] + [chosen]
    return w.VBox([*lines, chosen]), watch, read


def _practice_fishbone(start: Mapping[str, Any], w: Any) -> Built:
    from lablib.curriculum import facts

    entry = _dict(start.get("diagnose.dg2"))
    causes = _table(entry, "penyebab")
    problem = w.Text(continuous_update=False, value=str(_dict(start.get("diagnose.dg1")).get("masalah_terpilih") or ""),
                     description="Masalah:", layout=w.Layout(width="640px"))
    boxes = {}
    for cat in facts.FISHBONE_CATEGORIES:
        lines = [str(r.get("penyebab") or "") for r in causes if r.get("kategori") == cat]
        boxes[cat] = w.Textarea(continuous_update=False, value="\n".join(lines), placeholder="satu penyebab per baris",
                                layout=w.Layout(width="310px", height="80px"))
    root = w.Text(continuous_update=False, value=str(entry.get("akar_masalah") or ""), description="Akar masalah:",
                  layout=w.Layout(width="640px"), style={"description_width": "90px"})
    grid = w.GridBox([w.VBox([w.HTML(f"<b>{cat}</b>"), box]) for cat, box in boxes.items()],
                     layout=w.Layout(grid_template_columns="repeat(2, 320px)"))

    def read() -> dict:
        rows = [{"kategori": cat, "penyebab": line.strip()}
                for cat, box in boxes.items() for line in box.value.splitlines() if line.strip()]
        return {"diagnose.dg1": {"masalah_terpilih": problem.value},
                "diagnose.dg2": {"penyebab": rows, "akar_masalah": root.value}}

    return w.VBox([problem, grid, root]), [problem, *boxes.values(), root], read


def _practice_stakeholder(start: Mapping[str, Any], w: Any) -> Built:
    from lablib.curriculum import facts

    rows = _table(_dict(start.get("diagnose.dg3")), "pemangku")[:10] or [{} for _ in range(5)]
    lines, controls = [], []
    for r in rows:
        name = w.Text(continuous_update=False, value=str(r.get("nama") or ""), placeholder="nama pemangku", layout=w.Layout(width="260px"))
        unsur = w.Dropdown(options=facts.PENTAHELIX,
                           value=r.get("unsur") if r.get("unsur") in facts.PENTAHELIX else facts.PENTAHELIX[0],
                           layout=w.Layout(width="130px"))
        p = w.IntSlider(continuous_update=False, value=_as_int(r.get("pengaruh")), min=1, max=5, description="Pengaruh",
                        layout=w.Layout(width="230px"))
        i = w.IntSlider(continuous_update=False, value=_as_int(r.get("kepentingan")), min=1, max=5, description="Kepentingan",
                        layout=w.Layout(width="250px"), style={"description_width": "80px"})
        lines.append(w.HBox([name, unsur, p, i]))
        controls.append((name, unsur, p, i))

    def read() -> dict:
        return {"diagnose.dg3": {"pemangku": [{"nama": n.value, "unsur": u.value, "pengaruh": p.value,
                                               "kepentingan": i.value} for n, u, p, i in controls]}}

    return w.VBox(lines), [c for row in controls for c in row], read


def _practice_decision(start: Mapping[str, Any], w: Any) -> Built:
    from lablib.curriculum import facts

    entry = _dict(start.get("diagnose.dg4"))
    ideas = _table(entry, "ide")[:6] or [{"nama": f"Ide {n}"} for n in (1, 2, 3)]
    keys = list(facts.DECISION_CRITERIA)
    weights = {}
    for k in keys:
        v = entry.get(f"bobot_{k}")
        weights[k] = w.IntSlider(continuous_update=False, value=int(v) if isinstance(v, (int, float)) and 0 <= v <= 100 else 20, min=0,
                                 max=100, step=5, description=facts.DECISION_CRITERIA[k].split(" (")[0],
                                 layout=w.Layout(width="420px"), style={"description_width": "150px"})
    rows = []
    for idea in ideas:
        name = w.Text(continuous_update=False, value=str(idea.get("nama") or ""), layout=w.Layout(width="240px"))
        scores = {k: w.Dropdown(options=[1, 2, 3, 4, 5], value=_as_int(idea.get(f"skor_{k}")),
                                layout=w.Layout(width="60px")) for k in keys}
        rows.append((name, scores))
    head = w.HTML("<b>Skor 1–5 per kriteria:</b> " + " · ".join(
        facts.DECISION_CRITERIA[k].split(" (")[0] for k in keys))

    def read() -> dict:
        doc: dict[str, Any] = {f"bobot_{k}": s.value for k, s in weights.items()}
        doc["ide"] = [{"nama": n.value, **{f"skor_{k}": d.value for k, d in sc.items()}} for n, sc in rows]
        doc["ide_terpilih"] = entry.get("ide_terpilih") or ""
        return {"diagnose.dg4": doc}

    box = w.VBox([w.HTML("<b>Bobot kriteria (jumlahkan 100):</b>"), *weights.values(), head,
                  *(w.HBox([n, *sc.values()]) for n, sc in rows)])
    return box, [*weights.values(), *(c for n, sc in rows for c in (n, *sc.values()))], read


def _practice_gantt(start: Mapping[str, Any], w: Any) -> Built:
    rows = _table(_dict(start.get("design.ds3")), "kegiatan")[:10] or [{} for _ in range(3)]
    controls = []
    for r in rows:
        controls.append((w.Text(continuous_update=False, value=str(r.get("nama") or ""), placeholder="kegiatan", layout=w.Layout(width="300px")),
                         w.DatePicker(value=_day(r.get("mulai")), description="Mulai", layout=w.Layout(width="230px")),
                         w.DatePicker(value=_day(r.get("selesai")), description="Selesai", layout=w.Layout(width="230px")),
                         r))

    def read() -> dict:
        return {"design.ds3": {"kegiatan": [
            {"nama": n.value, "mulai": a.value.isoformat() if a.value else None,
             "selesai": b.value.isoformat() if b.value else None, "pic": r.get("pic"), "tonggak": r.get("tonggak")}
            for n, a, b, r in controls]}}

    return w.VBox([w.HBox([n, a, b]) for n, a, b, _ in controls]), [c for n, a, b, _ in controls for c in (n, a, b)], read


def _practice_trial(start: Mapping[str, Any], w: Any) -> Built:
    from lablib.core.calendar import DEFAULT_CALENDAR

    log = _table(_dict(start.get("deliver.dv1")), "log")
    ind = next((i for i in _table(_dict(start.get("design.ds2")), "indikator") if measured_in_days(i)), {})

    def fmt(values: list) -> str:
        return " ".join(f"{v:g}".replace(".", ",") if isinstance(v, (int, float)) else "?" for v in values)

    days = w.Textarea(continuous_update=False, value=fmt([r.get("hari_layanan") for r in log]), layout=w.Layout(width="640px", height="50px"),
                      description="Lama layanan (hari) per minggu:", style={"description_width": "210px"})
    served = w.Textarea(continuous_update=False, value=fmt([r.get("dilayani") for r in log]), layout=w.Layout(width="640px", height="50px"),
                        description="Warga dilayani per minggu:", style={"description_width": "210px"})
    base = w.FloatText(value=float(number(ind.get("baseline")) or 14), description="Baseline (hari):",
                       style={"description_width": "110px"})
    target = w.FloatText(value=float(number(ind.get("target")) or 3), description="Target (hari):",
                         style={"description_width": "110px"})
    first = (_day(log[0].get("tanggal")) if log else None) or DEFAULT_CALENDAR.deliver_start + _dt.timedelta(days=6)

    def read() -> dict:
        d, s = _numbers(days.value), _numbers(served.value)
        n = max(len(d), len(s))
        rows = [{"tanggal": (first + _dt.timedelta(weeks=k)).isoformat(),
                 "hari_layanan": d[k] if k < len(d) else None, "dilayani": s[k] if k < len(s) else None}
                for k in range(n)]
        name = "Rata-rata lama layanan"
        last = next((v for v in reversed(d) if v is not None), None)
        return {"design.ds2": {"indikator": [{"nama": name, "satuan": "hari", "baseline": base.value,
                                              "target": target.value}]},
                "deliver.dv1": {"log": rows, "perubahan": [{"indikator": name, "baseline": base.value,
                                                            "capaian": last}]}}

    return w.VBox([days, served, w.HBox([base, target])]), [days, served, base, target], read


def _practice_kipp(start: Mapping[str, Any], w: Any) -> Built:
    from lablib.curriculum import facts

    entry = _dict(start.get("display.dp1"))
    view = exercise_view("display.dp1", {})
    boxes = {}
    for s in facts.KIPP_WEIGHTS:
        label = view.exercise.field(s).label if view is not None and s in {f.id for f in view.exercise.fields} else s
        boxes[s] = w.Textarea(continuous_update=False, value=str(entry.get(s) or ""), description=f"{label} ({facts.KIPP_WEIGHTS[s]:g})",
                              layout=w.Layout(width="720px", height="70px"), style={"description_width": "220px"})

    def read() -> dict:
        return {"display.dp1": {s: b.value for s, b in boxes.items()}}

    return w.VBox(list(boxes.values())), list(boxes.values()), read


def _practice_readiness(start: Mapping[str, Any], w: Any) -> Built:
    from lablib.core.fields import Scale

    entry = _dict(start.get("drum-up.du2"))
    view = exercise_view("drum-up.du2", {})
    scales = [f for f in view.exercise.fields if isinstance(f, Scale)] if view else []
    sliders = {f.id: w.IntSlider(continuous_update=False, value=_as_int(entry.get(f.id)), min=1, max=5, description=f.label,
                                 layout=w.Layout(width="560px"), style={"description_width": "340px"})
               for f in scales}

    def read() -> dict:
        return {"drum-up.du2": {k: s.value for k, s in sliders.items()}}

    return w.VBox(list(sliders.values())), list(sliders.values()), read


_PRACTICE: dict[str, Callable[[Mapping[str, Any], Any], Built]] = {
    "kesiapan": _practice_readiness,
    "usg": _practice_usg,
    "fishbone": _practice_fishbone,
    "stakeholder": _practice_stakeholder,
    "decision": _practice_decision,
    "gantt": _practice_gantt,
    "trial": _practice_trial,
    "kipp": _practice_kipp,
}

_STATIC_NOTE = T("Mode tanpa widget: gambar di atas dibuat dari contoh kerja (data fiktif untuk latihan). Buka "
                 "notebook ini di JupyterLab untuk mengubah isian dan melihat gambarnya berubah.",
                 "No-widget mode: the picture above is drawn from the worked example (fictitious data for "
                 "practice). Open this notebook in JupyterLab to change the entries and watch the picture "
                 "change.")
_PRACTICE_HEAD_OWN = T("Latihan, tidak disimpan dan tidak dinilai. Gambar digambar ulang sesaat setelah isian "
                       "berubah.", "Practice: nothing is saved or graded. The picture redraws a moment after an "
                       "entry changes.")
_PRACTICE_HEAD = T("Latihan, tidak disimpan dan tidak dinilai. Isian awal adalah contoh kerja (data fiktif untuk "
                   "latihan): ganti dengan keadaan OPD Anda. Gambar digambar ulang sesaat setelah isian berubah.",
                   "Practice: nothing is saved or graded. The entries start from the worked example (fictitious "
                   "data): replace them with your OPD's situation. The picture redraws a moment after an entry changes.")
_PRACTICE_CAPTION = T("Digambar dari isian latihan di atas; diperbarui sesaat setelah isian berubah.",
                      "Drawn from the practice entries above; updated a moment after an entry changes.")


def practice(kind: str, answers: Mapping[str, Any] | None = None) -> None:
    """An ungraded practice widget: change the entries and the picture redraws.

    Starts from ``answers`` (a stage's answers mapping) or, by default, the worked example.
    Nothing is saved or graded. Where no one can click (``LABLIB_HEADLESS=1``, nbgrader, plain
    Python) the same picture is shown once, statically, with a note.
    """
    import html

    from IPython.display import HTML, display

    from lablib.notebook.forms import is_headless

    exercise_id = exercise_for(kind)  # an unknown kind is a ValueError that lists the known ones
    start = dict(answers) if isinstance(answers, Mapping) else _example(exercise_id)
    builder = _PRACTICE.get(kind)
    if builder is None or is_headless():
        show(kind, start)
        if answers is None:
            display(HTML(f'<p style="font-size:90%;color:#555"><em>{html.escape(str(_STATIC_NOTE))}</em></p>'))
        return
    import ipywidgets as w

    from lablib.notebook.live_pictures import PicturePanel

    box, watched, read = builder(start, w)
    panel = PicturePanel((kind,), read, caption=_PRACTICE_CAPTION)  # a reading error is shown, not raised

    def changed(_: Any) -> None:
        panel.poke()

    for control in watched:
        control.observe(changed, names="value")
    note = _PRACTICE_HEAD if answers is None else _PRACTICE_HEAD_OWN
    head = w.HTML(f'<p style="color:#555;font-size:90%"><em>{html.escape(str(note))}</em></p>')
    display(w.VBox([head, box, panel.widget]))
