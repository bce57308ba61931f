"""Diagnose stage: problems and their priority (DG1), root causes (DG2), stakeholders (DG3),
ideas and their selection (DG4)."""

from __future__ import annotations

from ..checks import Answers, Check
from ..exercises import Exercise
from ..fields import Choice, LongText, MultiChoice, Number, Scale, ShortText, Table, word_count
from ..i18n import T, Text
from ..rubrics import Criterion
from . import facts
from ._common import competition_ranks, count_between, missing, missing_cells, short

# ---------------------------------------------------------------- DG1 Daftar & prioritas masalah

DG1_JUSTIFICATION_WORDS = 30


def _dg1_list(a: Answers) -> list[Text]:
    problems = count_between(a, "masalah", 3, 7)
    problems += missing_cells(a, "masalah", "nama", "layanan", "baseline", "satuan", "sumber_data")
    return problems + a.type_errors[:3]


def _dg1_usg(a: Answers) -> list[Text]:
    rows = a.rows("masalah")
    if not rows:
        return [T("Belum ada masalah yang dinilai dengan USG.", "No problem has been scored with USG yet.")]
    out: list[Text] = []
    for n, row in enumerate(rows, start=1):
        for key in ("u", "s", "g"):
            v = row.get(key)
            if v is None or not facts.USG_MIN <= v <= facts.USG_MAX:
                out.append(T("Skor {k} harus {lo}–{hi} (tertulis {v}). Ubah skor masalah '{name}'.",
                             "{k} score must be {lo}–{hi} (got {v}). Change the score of problem '{name}'.").format(
                    k=key.upper(), lo=facts.USG_MIN, hi=facts.USG_MAX, v="kosong" if v is None else v,
                    name=short(row.get("nama") or n)))
    if out:
        return out
    totals = [row["u"] + row["s"] + row["g"] for row in rows]
    for row, total in zip(rows, totals):
        if row.get("total") != total:
            out.append(T("Total USG '{name}' seharusnya {t} (U+S+G), tertulis {v}.",
                         "The USG total of '{name}' should be {t} (U+S+G); got {v}.").format(
                name=short(row.get("nama")), t=total, v=row.get("total") if row.get("total") is not None else "kosong"))
    for row, rank in zip(rows, competition_ranks(totals)):
        if row.get("peringkat") != rank:
            out.append(T("Peringkat '{name}' seharusnya {r} (total tertinggi = peringkat 1), tertulis {v}.",
                         "The rank of '{name}' should be {r} (highest total = rank 1); got {v}.").format(
                name=short(row.get("nama")), r=rank, v=row.get("peringkat") if row.get("peringkat") is not None else "kosong"))
    return out


def _dg1_choice(a: Answers) -> list[Text]:
    chosen = a.get("masalah_terpilih")
    rows = a.rows("masalah")
    if not chosen:
        return [T("Pilih satu masalah prioritas dari daftar.", "Choose one priority problem from the list.")]
    match = [r for r in rows if (r.get("nama") or "").strip() == chosen.strip()]
    if not match:
        return [T("Masalah terpilih '{c}' tidak ada di daftar masalah. Pilih ulang dari daftar.",
                  "The chosen problem '{c}' is not in the list. Choose again from the list.").format(c=short(chosen))]
    row = match[0]
    out: list[Text] = []
    lacking = [x for x in facts.APKL if x not in (row.get("apkl") or [])]
    if lacking:
        out.append(T("Masalah terpilih belum memenuhi APKL: {x}. Pilih masalah yang memenuhi keempatnya.",
                     "The chosen problem does not meet APKL: {x}. Choose one that meets all four.").format(
            x=", ".join(lacking)))
    try:
        totals = [r["u"] + r["s"] + r["g"] for r in rows]
        top = max(totals)
        is_top = row["u"] + row["s"] + row["g"] == top
    except TypeError:  # a missing USG score: the USG check already says which
        is_top = False
    if not is_top and word_count(a.get("justifikasi")) < DG1_JUSTIFICATION_WORDS:
        out.append(T("Masalah terpilih bukan peringkat 1 USG. Tulis alasan paling sedikit {n} kata "
                     "(sekarang {k} kata), atau pilih masalah peringkat 1.",
                     "The chosen problem is not USG rank 1. Write a justification of at least {n} words "
                     "(now {k}), or choose the rank-1 problem.").format(
            n=DG1_JUSTIFICATION_WORDS, k=word_count(a.get("justifikasi"))))
    return out


DG1 = Exercise(
    id="diagnose.dg1",
    code="DG1",
    title="Daftar & prioritas masalah",
    title_en="Problem list and priorities",
    instructions=(
        "Tuliskan 3–7 masalah nyata pada layanan OPD Anda. Untuk setiap masalah isi layanan yang "
        "terdampak, angka dasar (baseline) beserta satuan dan sumber datanya, centang kriteria APKL "
        "yang terpenuhi, lalu beri skor Urgency, Seriousness, dan Growth (1–5). Hitung sendiri total "
        "USG (U+S+G) dan peringkatnya (total tertinggi = peringkat 1). Terakhir pilih satu masalah "
        "prioritas; bila bukan peringkat 1, tuliskan alasannya."),
    instructions_en=(
        "List 3–7 real problems in your OPD's services. For each, give the affected service, a "
        "baseline figure with its unit and data source, tick the APKL criteria it meets, and score "
        "Urgency, Seriousness and Growth (1–5). Compute the USG total (U+S+G) and the rank yourself "
        "(highest total = rank 1). Finally choose one priority problem; if it is not rank 1, say why."),
    fields=(
        Table(
            "masalah", "Daftar masalah", label_en="Problems", min_rows=3, max_rows=7, row_label="Masalah",
            help="Satu baris untuk satu masalah.",
            columns=(
                ShortText("nama", "Masalah", label_en="Problem", help="Contoh: Antrean KTP-el panjang"),
                ShortText("layanan", "Layanan terdampak", label_en="Affected service"),
                Number("baseline", "Angka dasar (baseline)", label_en="Baseline figure"),
                ShortText("satuan", "Satuan", label_en="Unit", help="Contoh: hari, orang, %"),
                ShortText("sumber_data", "Sumber data", label_en="Data source"),
                MultiChoice("apkl", "APKL terpenuhi", label_en="APKL met", options=facts.APKL, required=False),
                Scale("u", "Urgency (U)", label_en="Urgency (U)"),
                Scale("s", "Seriousness (S)", label_en="Seriousness (S)"),
                Scale("g", "Growth (G)", label_en="Growth (G)"),
                Number("total", "Total USG", label_en="USG total", integer=True, minimum=3, maximum=15),
                Number("peringkat", "Peringkat", label_en="Rank", integer=True, minimum=1, maximum=7),
            ),
        ),
        Choice("masalah_terpilih", "Masalah prioritas terpilih", label_en="Chosen priority problem",
               options_from="masalah.nama"),
        LongText("justifikasi", "Alasan memilih (bila bukan peringkat 1)", required=False,
                 label_en="Justification (if not rank 1)", min_words=0),
    ),
    checks=(
        Check("daftar", "Daftar masalah lengkap", 1, _dg1_list, "Problem list complete"),
        Check("usg", "Skor, total, dan peringkat USG benar", 1, _dg1_usg, "USG scores, totals and ranks right"),
        Check("pilihan", "Masalah terpilih memenuhi APKL dan prioritas", 1, _dg1_choice,
              "Chosen problem meets APKL and priority"),
    ),
    criteria=(
        Criterion(
            "masalah_nyata", "Masalah nyata, berdampak pada publik, dan terkait tupoksi", 4,
            ("Tidak ada masalah yang dapat dinilai.",
             "Masalah umum atau internal, tanpa data dan tanpa kaitan dengan tupoksi.",
             "Masalah menyangkut layanan publik, tetapi data atau kaitan dengan tupoksi lemah.",
             "Masalah nyata dan berdampak pada publik, didukung data, terkait tupoksi.",
             "Masalah nyata, terukur dengan data yang jelas sumbernya, langsung lahir dari tupoksi, "
             "dan dirasakan masyarakat."),
            title_en="Problem is real, public-facing and tied to tupoksi",
            shows=("masalah", "masalah_terpilih", "justifikasi"),
        ),
    ),
)

EXERCISES: tuple[Exercise, ...] = (DG1,)
