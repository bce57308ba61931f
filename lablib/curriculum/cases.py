"""Innovation cases of the synthetic cohort: one plausible innovation per kind of OPD (data fiktif).

The worked example (Disdukcapil, "jemput bola") is the model answer. Every other OPD of the
synthetic cohort has its own case in ``data/kasus/<slug>.json``: what its participant would
write, exercise by exercise, in the same ``{exercise_id: {...}}`` shape as an answers file,
without the values the curriculum computes (USG totals and ranks, stakeholder quadrants,
budget lines and totals, trial changes and ratios, the weighted IID score: ``Computed`` fields,
which a file never holds) and without the dates of the shared bimtek calendar.
``case_answers`` fills in the dates, the choices that follow from other answers (the DS4
outcome indicator, the DV3 levels the trial log supports) and the figures the prose quotes,
reading the computed values through ``Answers``, so a case earns every automatic point and only
its writing is the case author's.

Text may name figures that depend on the trial log as ``{dilayani}`` (people served in all
weeks), ``{rasio}`` (complaints resolved, %), ``{anggaran}`` (the budget's total), ``{b1}``/``{c1}``/``{b2}``/``{c2}`` (baseline and
result of the first and second indicator) and ``{kecamatan}`` (a kecamatan case's own name),
so the prose stays true when a seed varies the weekly figures.
"""

from __future__ import annotations

import copy
import json
import random
import string
from functools import cache
from importlib import resources
from typing import Any

from lablib.core.formatting import number, rupiah
from lablib.curriculum import facts
from lablib.curriculum.samples import model_answers

CASE_DIR = ("data", "kasus")


@cache
def _raw_case(name: str) -> dict:
    ref = resources.files(__package__).joinpath(*CASE_DIR, f"{name}.json")
    return json.loads(ref.read_text(encoding="utf-8"))


def case_names() -> tuple[str, ...]:
    """Every case shipped (file names without ``.json``)."""
    folder = resources.files(__package__).joinpath(*CASE_DIR)
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


def _model_entry(ex_id: str) -> dict:
    for stage in ("display", "deliver", "design", "diagnose", "drum-up"):
        entry = model_answers(stage).get(ex_id)
        if entry is not None:
            return entry
    return {}


def _fill_computed(case: dict, rng: random.Random) -> dict:
    """The case with its calendar values, derived choices and quoted figures filled in (a deep copy)."""
    from lablib.core.checks import Answers
    from lablib.curriculum import get_exercise
    from lablib.curriculum.deliver import service_days_level

    a = copy.deepcopy({k: v for k, v in case.items() if not k.startswith("_")})

    du2 = a.get("drum-up.du2")
    if du2 is not None:
        du2.setdefault("tanggal", _model_entry("drum-up.du2")["tanggal"])

    dg1 = a.get("diagnose.dg1")
    if dg1 is not None:
        dg1.setdefault("masalah_terpilih", dg1["masalah"][0]["nama"])
        dg1.setdefault("justifikasi", "")

    dg4 = a.get("diagnose.dg4")
    if dg4 is not None:
        dg4.setdefault("ide_terpilih", dg4["ide"][0]["nama"])

    ds3 = a.get("design.ds3")
    model_ds3 = _model_entry("design.ds3")
    if ds3 is not None:
        for r, m in zip(ds3["kegiatan"], model_ds3["kegiatan"]):
            r.setdefault("mulai", m["mulai"])
            r.setdefault("selesai", m["selesai"])

    ds1 = a.get("design.ds1")
    if ds1 is not None:
        model_ds1 = _model_entry("design.ds1")
        ds1.setdefault("tahapan", facts.DS1_REQUIRED_TAHAPAN)
        ds1.setdefault("waktu_uji_coba", model_ds1["waktu_uji_coba"])
        ds1.setdefault("waktu_penerapan", model_ds1["waktu_penerapan"])

    ds2 = a.get("design.ds2")
    if ds2 is not None:
        for r in ds2["indikator"]:
            r.setdefault("tenggat", _model_entry("design.ds2")["indikator"][0]["tenggat"])
        ds4 = a.get("design.ds4")
        if ds4 is not None:
            ds4["indikator_outcome"] = next(r["nama"] for r in ds2["indikator"] if r["jenis"] == facts.INDICATOR_OUTCOME)

    dv1 = a.get("deliver.dv1")
    values: dict[str, str] = {}
    if ds3 is not None:
        values["anggaran"] = rupiah(Answers(get_exercise("design.ds3"), a)["total_rab"])
    if dv1 is not None:
        dates = [r["tanggal"] for r in _model_entry("deliver.dv1")["log"]]
        for r, day in zip(dv1["log"], dates):
            r.setdefault("tanggal", day)
            # a seed varies how many came each week (nothing else is checked against it)
            r["dilayani"] = max(1, round(r["dilayani"] * rng.uniform(0.85, 1.2)))
        view = Answers(get_exercise("deliver.dv1"), a)
        for n, r in enumerate(view.rows("perubahan"), start=1):
            values[f"b{n}"], values[f"c{n}"] = number(r["baseline"]), number(r["capaian"])
        values["dilayani"] = number(sum(r["dilayani"] for r in dv1["log"]))
        values["rasio"] = number(view["rasio_pengaduan"])
        values["aduan_masuk"] = number(sum(r["aduan_masuk"] for r in dv1["log"]))
        values["aduan_selesai"] = number(sum(r["aduan_selesai"] for r in dv1["log"]))
        dv3 = a.get("deliver.dv3")
        if dv3 is not None:
            labels = [label for *_, label in facts.IID_COMPLAINT_BANDS]
            supported = {"Penyelesaian layanan pengaduan": labels.index(view["band_pengaduan"]) + 1,
                         "Kemudahan proses (waktu layanan)": service_days_level(dv1["log"][-1]["hari_layanan"])}
            for r in dv3["klaim"]:
                if r["indikator"] in supported:
                    r["level"] = supported[r["indikator"]]
    if values:
        a = _format_texts(a, values)
    return a


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format_texts(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        if "{" not in value:
            return value
        names = {f for _, f, _, _ in string.Formatter().parse(value) if f}
        return value.format_map(_Keep(values)) if names else value
    if isinstance(value, list):
        return [_format_texts(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _format_texts(v, values) for k, v in value.items()}
    return value


def case_answers(name: str, seed: int = 0, **words: str) -> dict[str, dict]:
    """Every exercise entry of case ``name`` (all stages), computed values filled in.

    ``words`` fill the case's own placeholders (``kecamatan="Liang"``). Deterministic.
    """
    raw = _raw_case(name)
    if words:
        raw = _format_texts(raw, dict(words))
    return _fill_computed(raw, random.Random(f"{name}|{seed}"))


__all__ = ["case_answers", "case_names"]
