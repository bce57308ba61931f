"""Design stage: the innovation profile (DS1), SMART indicators (DS2), action plan and budget
(DS3), theory of change (DS4).

The design answers file also holds the participant's imported Diagnose answers
(``diagnose.dg1``, ``diagnose.dg2``, ``diagnose.dg4``, see ``lablib.notebook.carry``). No check here
needs them: a participant who skipped the import loses no automatic point.

Dates. DS2 deadlines must fall inside the Deliver (trial) window. DS3 activities must fall
inside the plan window, from the first workshop day to the end of the Deliver window: the
preparation (SK, coordination, socialisation) starts right after the workshop, before the trial.
"""

from __future__ import annotations

import datetime as _dt

from lablib.core import formatting
from lablib.core.checks import Answers, Check
from lablib.core.exercises import Exercise
from lablib.core.fields import (
    Choice,
    Computed,
    DateField,
    LongText,
    Number,
    ShortText,
    Table,
    word_count,
)
from lablib.core.i18n import T, Text
from lablib.core.rubrics import Criterion
from lablib.curriculum import facts
from lablib.curriculum._common import count_between, missing, missing_cells, short


def _norm(text: object) -> str:
    """Lower-cased, single-spaced text for comparing two answers typed by hand."""
    return " ".join(str(text or "").lower().split())


# ---------------------------------------------------------------- DS1 Profil inovasi

RB_FIELDS: dict[str, str] = {f"rb_{key}": label for key, label in facts.RANCANG_BANGUN_OUTLINE.items()}
_RB_HELP = {
    "rb_dasar_hukum": "Peraturan yang menjadi dasar tupoksi dan inovasi ini.",
    "rb_permasalahan": "Masalah layanan beserta angka dan sumber datanya (dari DG1).",
    "rb_isu_strategis": "Mengapa masalah ini penting bagi daerah (RPJMD, Renstra, prioritas nasional).",
    "rb_metode": "Bagaimana layanan berjalan sebelum inovasi dan bagaimana sesudahnya.",
    "rb_keunggulan": "Apa yang baru dibanding cara lama atau daerah lain.",
    "rb_cara_kerja": "Langkah-langkah inovasi dijalankan, siapa melakukan apa.",
}
MANFAAT_FIELDS = ("manfaat_opd", "manfaat_pemangku", "manfaat_masyarakat")


def _ds1_identity(a: Answers) -> list[Text]:
    out = missing(a, "nama", "bentuk", "jenis", "inisiator", "urusan", "tematik", "tahapan")
    tahapan = a.get("tahapan")
    if tahapan and tahapan != facts.DS1_REQUIRED_TAHAPAN:
        out.append(T("Tahapan inovasi tertulis '{v}'. Inovasi yang baru dirancang berada pada tahapan '{t}'.",
                     "The stage is '{v}'. An innovation still being designed is at stage '{t}'.").format(
            v=tahapan, t=facts.DS1_REQUIRED_TAHAPAN))
    return out + a.type_errors[:3]


def _ds1_design(a: Answers) -> list[Text]:
    out = missing(a, *RB_FIELDS)
    counts = {fid: word_count(a.get(fid)) for fid in RB_FIELDS}
    total = sum(counts.values())
    if total < facts.RANCANG_BANGUN_MIN_WORDS:
        shortest = min(counts, key=counts.get)
        out.append(T("Rancang bangun baru {n} kata; keenam bagian bersama-sama perlu paling sedikit {m} kata. "
                     "Lengkapi terutama bagian '{p}' ({k} kata).",
                     "The design (rancang bangun) has {n} words; the six parts together need at least {m}. "
                     "Expand above all the part '{p}' ({k} words).").format(
            n=total, m=facts.RANCANG_BANGUN_MIN_WORDS, p=RB_FIELDS[shortest], k=counts[shortest]))
    return out


def _ds1_time_benefit(a: Answers) -> list[Text]:
    out = missing(a, "tujuan", *MANFAAT_FIELDS, "waktu_uji_coba", "waktu_penerapan")
    trial, launch = a.get("waktu_uji_coba"), a.get("waktu_penerapan")
    if trial and launch and not trial < launch:
        out.append(T("Waktu uji coba ({u}) harus sebelum waktu penerapan ({p}). Inovasi diuji coba dulu, baru "
                     "diterapkan.",
                     "The trial date ({u}) must come before the implementation date ({p}): trial first, then "
                     "implementation.").format(u=formatting.date(trial), p=formatting.date(launch)))
    return out


def profile_budget(a: Answers) -> float | None:
    """The computed ``anggaran`` of DS1: the DS3 budget total (``None`` until DS3 has one)."""
    return a.other("design.ds3").get("total_rab")


DS1 = Exercise(
    id="design.ds1",
    code="DS1",
    title="Profil inovasi (PP 38 / IID)",
    title_en="Innovation profile (PP 38 / IID)",
    instructions=(
        "Isi profil inovasi seperti pada Indeks Inovasi Daerah: nama, bentuk, jenis, inisiator, urusan "
        "pemerintahan, tematik, dan tahapan (inovasi yang baru dirancang: Inisiatif). Tulis rancang "
        "bangun dalam enam bagian, bersama-sama paling sedikit 300 kata: dasar hukum; permasalahan "
        "dengan data; isu strategis; metode pembaharuan (sebelum dan sesudah); keunggulan dan "
        "kebaruan; tahapan dan cara kerja. Lalu tujuan, manfaat bagi OPD, pemangku kepentingan, dan "
        "masyarakat, dan waktu uji coba (sebelum waktu penerapan). Anggaran diambil otomatis dari total RAB di DS3."),
    instructions_en=(
        "Fill in the innovation profile as in the Regional Innovation Index: name, form, type, "
        "initiator, government affair, theme and stage (an innovation being designed: Inisiatif). "
        "Write the design (rancang bangun) in six parts, at least 300 words together: legal basis; "
        "the problem with data; strategic issue; the method of renewal (before and after); advantages "
        "and novelty; steps and how it works. Then the goal, the benefits for the OPD, stakeholders "
        "and citizens, and the trial date (before the implementation date). The budget is taken "
        "from the DS3 budget total for you."),
    fields=(
        ShortText("nama", "Nama inovasi", label_en="Innovation name"),
        Choice("bentuk", "Bentuk inovasi", label_en="Form", options=facts.PP38_BENTUK),
        Choice("jenis", "Jenis inovasi", label_en="Type", options=facts.PP38_JENIS),
        Choice("inisiator", "Inisiator", label_en="Initiator", options=facts.PP38_INISIATOR),
        Choice("urusan", "Urusan pemerintahan", label_en="Government affair", options=facts.URUSAN_PEMERINTAHAN),
        Choice("tematik", "Tematik", label_en="Theme", options=facts.IID_TEMATIK),
        Choice("fasad_oecd", "Fasad inovasi (OECD)", label_en="Innovation facet (OECD)",
               options=facts.OECD_FACETS, required=False,
               help="Peningkatan: memperbaiki layanan yang ada. Berorientasi misi: mengejar tujuan besar. "
                    "Adaptif: menanggapi perubahan. Antisipatif: menyiapkan masa depan."),
        Choice("tahapan", "Tahapan inovasi", label_en="Stage", options=facts.PP38_TAHAPAN),
        *(LongText(fid, f"Rancang bangun: {label}", label_en=f"Design: {label}", help=_RB_HELP[fid])
          for fid, label in RB_FIELDS.items()),
        LongText("tujuan", "Tujuan inovasi", label_en="Goal"),
        LongText("manfaat_opd", "Manfaat bagi OPD", label_en="Benefit for the OPD"),
        LongText("manfaat_pemangku", "Manfaat bagi pemangku kepentingan", label_en="Benefit for stakeholders"),
        LongText("manfaat_masyarakat", "Manfaat bagi masyarakat", label_en="Benefit for citizens"),
        DateField("waktu_uji_coba", "Waktu uji coba (mulai)", label_en="Trial start"),
        DateField("waktu_penerapan", "Waktu penerapan (mulai)", label_en="Implementation start"),
        Computed("anggaran", "Anggaran", label_en="Budget", unit="rupiah", compute=profile_budget,
                 help="Total RAB di DS3, diambil otomatis."),
    ),
    checks=(
        Check("identitas", "Identitas inovasi lengkap dan tahapan Inisiatif", 1, _ds1_identity,
              "Innovation identity complete, stage Inisiatif"),
        Check("rancang_bangun", "Rancang bangun enam bagian, paling sedikit 300 kata", 1, _ds1_design,
              "Design in six parts, at least 300 words"),
        Check("waktu_manfaat", "Tujuan, tiga manfaat, dan waktu uji coba sebelum penerapan", 1, _ds1_time_benefit,
              "Goal, three benefits, and the trial before the implementation"),
    ),
    criteria=(
        Criterion(
            "perubahan", "Sebelum/sesudah dan mekanisme perubahan koheren", 4,
            ("Tidak ada gambaran sebelum/sesudah.",
             "Sebelum/sesudah kabur; tidak jelas apa yang berubah bagi pengguna layanan.",
             "Perubahan disebut, tetapi cara kerjanya belum menjelaskan bagaimana masalah teratasi.",
             "Sebelum/sesudah jelas dan cara kerja menjelaskan bagaimana masalah dan akar masalah teratasi.",
             ("Sebelum/sesudah jelas dengan angka, cara kerja rinci dan runtut, dan langsung menjawab akar "
              "masalah dari Diagnose.")),
            title_en="Before/after and the change mechanism coherent",
            shows=("rb_permasalahan", "rb_metode", "rb_cara_kerja", "tujuan"),
        ),
        Criterion(
            "tupoksi_pp38", "Sesuai tupoksi dan kriteria PP 38/2017", 3,
            ("Tidak dapat dinilai.",
             "Di luar tupoksi OPD atau tidak memenuhi beberapa kriteria PP 38/2017.",
             "Sesuai tupoksi, tetapi kebaruan atau kemungkinan replikasi lemah.",
             "Sesuai tupoksi dan memenuhi kelima kriteria PP 38/2017, dengan dasar hukum yang tepat.",
             ("Sesuai tupoksi, memenuhi kelima kriteria dengan bukti, manfaat bagi ketiga pihak jelas, dan "
              "siap direplikasi.")),
            title_en="Fits the tupoksi and the PP 38/2017 criteria",
            shows=("bentuk", "urusan", "rb_dasar_hukum", "rb_keunggulan", *MANFAAT_FIELDS),
        ),
    ),
)


# ---------------------------------------------------------------- DS2 Indikator SMART


def _ds2_numbers(a: Answers) -> list[Text]:
    rows = a.rows("indikator")
    out = count_between(a, "indikator", facts.INDICATOR_MIN, facts.INDICATOR_MAX)
    for n, row in enumerate(rows, start=1):
        name = short(row.get("nama") or n)
        base, target, way = row.get("baseline"), row.get("target"), row.get("arah")
        if base is None or target is None:
            out.append(T("Indikator '{i}': baseline dan target harus berupa angka.",
                         "Indicator '{i}': the baseline and the target must be numbers.").format(i=name))
        elif not way:
            out.append(T("Indikator '{i}': pilih arah perubahan (Naik atau Turun).",
                         "Indicator '{i}': choose the direction (up or down).").format(i=name))
        elif (way == "Naik" and not target > base) or (way == "Turun" and not target < base):
            out.append(T("Indikator '{i}': arah '{w}', tetapi target {t} tidak {cmp} baseline {b}. Perbaiki "
                         "target atau arahnya.",
                         "Indicator '{i}': direction '{w}', but the target {t} is not {cmp_en} the baseline "
                         "{b}. Fix the target or the direction.").format(
                i=name, w=way, t=formatting.number(target), b=formatting.number(base), cmp="di atas" if way == "Naik" else "di bawah",
                cmp_en="above" if way == "Naik" else "below"))
    return out


def _ds2_deadline(a: Answers) -> list[Text]:
    rows = a.rows("indikator")
    if not rows:
        return [T("Belum ada indikator, jadi belum ada tenggat yang dapat diperiksa.",
                  "No indicator yet, so no deadline to check.")]
    cal, out = a.calendar, []
    for n, row in enumerate(rows, start=1):
        name, day = short(row.get("nama") or n), row.get("tenggat")
        if day is None:
            out.append(T("Indikator '{i}': isi tenggat (tanggal).", "Indicator '{i}': give a deadline (date).")
                       .format(i=name))
        elif not cal.in_deliver(day):
            out.append(T("Indikator '{i}': tenggat {d} di luar masa uji coba ({s} s.d. {e}). Pilih tanggal di "
                         "dalam masa uji coba.",
                         "Indicator '{i}': the deadline {d} is outside the trial ({s} to {e}). Choose a date "
                         "inside the trial.").format(i=name, d=formatting.date(day), s=formatting.date(cal.deliver_start),
                                                     e=formatting.date(cal.deliver_end)))
    return out


def _ds2_complete(a: Answers) -> list[Text]:
    rows = a.rows("indikator")
    if not rows:
        return [T("Tuliskan 1–3 indikator, paling sedikit satu berjenis Outcome (hasil yang dirasakan masyarakat).",
                  "Write 1–3 indicators, at least one of the Outcome kind (a result citizens feel).")]
    out = missing_cells(a, "indikator", "nama", "jenis", "satuan", "sumber_data", "frekuensi")
    if not any(r.get("jenis") == facts.INDICATOR_OUTCOME for r in rows):
        out.append(T("Belum ada indikator berjenis {o}. Ukur hasil bagi masyarakat (misalnya cakupan atau lama "
                     "layanan), bukan hanya kegiatan.",
                     "No {o} indicator yet. Measure a result for citizens (e.g. coverage or service time), not "
                     "only activities.").format(o=facts.INDICATOR_OUTCOME))
    return out + a.type_errors[:3]


DS2 = Exercise(
    id="design.ds2",
    code="DS2",
    title="Indikator SMART",
    title_en="SMART indicators",
    instructions=(
        "Tuliskan 1–3 indikator keberhasilan inovasi, paling sedikit satu berjenis Outcome (hasil yang "
        "dirasakan masyarakat, bukan kegiatan). Untuk setiap indikator isi satuan, baseline (angka "
        "sekarang, sebaiknya dari DG1), target, arah (Naik/Turun), tenggat di dalam masa uji coba, "
        "sumber data, dan frekuensi pengukuran."),
    instructions_en=(
        "Write 1–3 success indicators, at least one of the Outcome kind (a result citizens feel, not "
        "an activity). For each give the unit, baseline (today's figure, ideally from DG1), target, "
        "direction (up/down), a deadline inside the trial period, data source and how often it is "
        "measured."),
    fields=(
        Table("indikator", "Indikator", label_en="Indicators", min_rows=facts.INDICATOR_MIN,
              max_rows=facts.INDICATOR_MAX, row_label="Indikator",
              columns=(
                  ShortText("nama", "Nama indikator", label_en="Indicator"),
                  Choice("jenis", "Jenis", label_en="Kind", options=facts.INDICATOR_KINDS),
                  ShortText("satuan", "Satuan", label_en="Unit", help="Contoh: %, hari, orang"),
                  Number("baseline", "Baseline", label_en="Baseline"),
                  Number("target", "Target", label_en="Target"),
                  Choice("arah", "Arah", label_en="Direction", options=facts.INDICATOR_DIRECTIONS),
                  DateField("tenggat", "Tenggat", label_en="Deadline"),
                  ShortText("sumber_data", "Sumber data", label_en="Data source"),
                  Choice("frekuensi", "Frekuensi pengukuran", label_en="Frequency",
                         options=facts.MEASUREMENT_FREQUENCIES),
              )),
    ),
    checks=(
        Check("angka", "Baseline dan target berupa angka, target ke arah yang benar", 1, _ds2_numbers,
              "Numeric baseline and target moving the right way"),
        Check("tenggat", "Tenggat di dalam masa uji coba", 1, _ds2_deadline, "Deadlines inside the trial"),
        Check("lengkap", "Satuan, sumber, frekuensi lengkap dan ada indikator outcome", 1, _ds2_complete,
              "Unit, source, frequency present and an outcome indicator"),
    ),
    criteria=(
        Criterion(
            "ukur_masalah", "Indikator mengukur masalah yang dipilih", 3,
            ("Tidak ada indikator yang dapat dinilai.",
             "Indikator hanya menghitung kegiatan atau tidak berkaitan dengan masalah terpilih.",
             "Indikator berkaitan dengan masalah, tetapi baseline atau target tidak realistis.",
             "Indikator outcome mengukur masalah terpilih dengan baseline dari data dan target realistis.",
             ("Indikator tepat mengukur masalah terpilih, baseline sama dengan DG1, target menantang tetapi "
              "realistis, dan sumber data dapat diperiksa.")),
            title_en="Indicators measure the chosen problem",
            shows=("indikator",),
        ),
    ),
)


# ---------------------------------------------------------------- DS3 Rencana aksi & RAB


def plan_window(a: Answers) -> tuple[_dt.date, _dt.date]:
    """Dates DS3 activities must fall in: first workshop day to the end of the Deliver window."""
    return a.calendar.workshop_start, a.calendar.deliver_end


def line_total(row: dict) -> float | None:
    """Volume × unit price of a budget line (``None`` when either is missing).

    >>> line_total({"volume": 12, "harga_satuan": 1_500_000})
    18000000
    """
    volume, price = row.get("volume"), row.get("harga_satuan")
    if volume is None or price is None:
        return None
    return volume * price


def _ds3_schedule(a: Answers) -> list[Text]:
    rows = a.rows("kegiatan")
    if not rows:
        return [T("Belum ada kegiatan. Tuliskan kegiatan rencana aksi dengan tanggal mulai, selesai, dan "
                  "penanggung jawab.",
                  "No activity yet. List the action-plan activities with start, end and person in charge.")]
    out = missing_cells(a, "kegiatan", "nama", "mulai", "selesai", "pic")
    first, last = plan_window(a)
    for n, row in enumerate(rows, start=1):
        name, start, end = short(row.get("nama") or n), row.get("mulai"), row.get("selesai")
        if start and end and start > end:
            out.append(T("Kegiatan '{k}': tanggal mulai {m} sesudah tanggal selesai {s}. Tukar atau perbaiki "
                         "tanggalnya.",
                         "Activity '{k}': the start {m} is after the end {s}. Swap or fix the dates.").format(
                k=name, m=formatting.date(start), s=formatting.date(end)))
        outside = [d for d in (start, end) if d and not first <= d <= last]
        if outside:
            out.append(T("Kegiatan '{k}': tanggal {d} di luar jangka rencana aksi ({a} s.d. {b}, dari bimtek "
                         "sampai akhir uji coba).",
                         "Activity '{k}': the date {d} is outside the plan period ({a} to {b}, from the "
                         "workshop to the end of the trial).").format(
                k=name, d=formatting.date(outside[0]), a=formatting.date(first), b=formatting.date(last)))
    return out


def line_totals(rows: list[dict]) -> list[float | None]:
    """The computed ``jumlah`` column of DS3: volume × unit price of each budget line."""
    return [line_total(r) for r in rows]


def budget_total(a: Answers) -> float | None:
    """The computed ``total_rab`` of DS3: the sum of the line totals (``None`` while a line lacks one).

    >>> from lablib.curriculum import get_exercise
    >>> budget_total(Answers(get_exercise("design.ds3"), {"design.ds3": {"rab": [
    ...     {"uraian": "BBM", "volume": 10, "satuan": "liter", "harga_satuan": 10_000},
    ...     {"uraian": "Spanduk", "volume": 2, "satuan": "lembar", "harga_satuan": 150_000}]}}))
    400000
    """
    totals = [r.get("jumlah") for r in a.rows("rab")]
    if not totals or any(t is None for t in totals):
        return None
    return sum(totals)


def _ds3_budget(a: Answers) -> list[Text]:
    rows = a.rows("rab")
    if not rows:
        return [T("Belum ada rincian anggaran (RAB). Tuliskan setiap belanja: uraian, volume, satuan, dan harga "
                  "satuan.",
                  "No budget lines yet. List each item: description, volume, unit and unit price.")]
    out = missing_cells(a, "rab", "uraian", "volume", "satuan", "harga_satuan")
    for n, row in enumerate(rows, start=1):
        name, volume, price = short(row.get("uraian") or n), row.get("volume"), row.get("harga_satuan")
        if volume is None or price is None:
            continue
        if volume < 0 or price < 0:
            out.append(T("RAB '{u}': volume dan harga satuan tidak boleh negatif.",
                         "Budget line '{u}': volume and unit price cannot be negative.").format(u=name))
        elif volume == 0 or price == 0:
            out.append(T("RAB '{u}': volume atau harga satuan 0, jadi belanja ini tidak bernilai. Isi volume dan "
                         "harga satuan yang sebenarnya, atau hapus barisnya.",
                         "Budget line '{u}': the volume or unit price is 0, so the line costs nothing. Give the "
                         "real volume and unit price, or remove the line.").format(u=name))
    return out + a.type_errors[:3]


# The one funding source that means "no budget": a plan that spends money needs a real source.
NO_EXTRA_COST = "Tanpa biaya tambahan"


def _ds3_funding(a: Answers) -> list[Text]:
    source, total = a.get("sumber_dana"), a.get("total_rab")
    if not source:
        return [T("Pilih sumber dana RAB (misalnya APBD/DPA OPD). Total RAB menjadi anggaran di profil inovasi "
                  "(DS1).",
                  "Choose the budget's funding source (e.g. APBD/DPA OPD). The budget total becomes the budget "
                  "in the innovation profile (DS1).")]
    if total is None:
        return [T("Total RAB belum dapat dihitung: lengkapi volume dan harga satuan setiap belanja.",
                  "The budget total cannot be computed yet: give every line its volume and unit price.")]
    if total > 0 and source == NO_EXTRA_COST:
        return [T("Sumber dana '{s}', tetapi total RAB {t}. Pilih sumber dana yang membiayai belanja itu "
                  "(misalnya APBD/DPA OPD, dana desa, CSR).",
                  "The funding source is '{s}' but the budget total is {t}. Choose the source that pays for "
                  "those lines (e.g. APBD/DPA OPD, village funds, CSR).").format(
            s=source, t=formatting.rupiah(total))]
    return []


DS3 = Exercise(
    id="design.ds3",
    code="DS3",
    title="Rencana aksi & RAB",
    title_en="Action plan and budget",
    instructions=(
        "Susun rencana aksi: setiap kegiatan dengan tanggal mulai dan selesai (antara hari pertama "
        "bimtek dan akhir masa uji coba), penanggung jawab (PIC), dan tonggak capaian. Lalu rincian "
        "anggaran (RAB): uraian, volume, satuan, dan harga satuan, serta sumber dananya. Jumlah per "
        "baris (volume × harga satuan) dan total RAB dihitung otomatis; total RAB menjadi anggaran di "
        "profil inovasi (DS1). Tuliskan juga risiko utama beserta mitigasinya."),
    instructions_en=(
        "Draw up the action plan: each activity with start and end dates (between the first workshop "
        "day and the end of the trial), person in charge (PIC) and milestone. Then the budget lines: "
        "description, volume, unit and unit price, and the funding source. The line totals (volume × "
        "unit price) and the budget total are computed for you; the budget total becomes the DS1 "
        "budget. Also list the main risks and their mitigations."),
    fields=(
        Table("kegiatan", "Kegiatan rencana aksi", label_en="Activities", min_rows=1, row_label="Kegiatan",
              columns=(
                  ShortText("nama", "Kegiatan", label_en="Activity"),
                  DateField("mulai", "Mulai", label_en="Start"),
                  DateField("selesai", "Selesai", label_en="End"),
                  ShortText("pic", "Penanggung jawab (PIC)", label_en="Person in charge"),
                  ShortText("tonggak", "Tonggak capaian", label_en="Milestone", required=False),
              )),
        Table("rab", "Rincian anggaran (RAB)", label_en="Budget lines", min_rows=1, row_label="Belanja",
              columns=(
                  ShortText("uraian", "Uraian belanja", label_en="Item"),
                  Number("volume", "Volume", label_en="Volume", minimum=0),
                  ShortText("satuan", "Satuan", label_en="Unit", help="Contoh: trip, orang-hari, paket"),
                  Number("harga_satuan", "Harga satuan", label_en="Unit price", unit="rupiah", minimum=0),
                  Computed("jumlah", "Jumlah", label_en="Line total", unit="rupiah", compute=line_totals,
                           help="Volume × harga satuan, dihitung otomatis."),
              )),
        Computed("total_rab", "Total RAB", label_en="Budget total", unit="rupiah", compute=budget_total),
        Choice("sumber_dana", "Sumber dana", label_en="Funding source", options=facts.FUNDING_SOURCES),
        Table("risiko", "Risiko dan mitigasi", label_en="Risks and mitigations", required=False, row_label="Risiko",
              columns=(
                  ShortText("risiko", "Risiko", label_en="Risk"),
                  ShortText("mitigasi", "Mitigasi", label_en="Mitigation"),
              )),
    ),
    checks=(
        Check("jadwal", "Jadwal kegiatan dalam jangka rencana dan ada PIC", 1, _ds3_schedule,
              "Activities inside the plan period, each with a PIC"),
        Check("rab", "Setiap belanja RAB lengkap dan bernilai", 1, _ds3_budget,
              "Every budget line complete and costed"),
        Check("anggaran_profil", "Sumber dana dipilih dan sesuai total RAB (anggaran DS1)", 1, _ds3_funding,
              "Funding source chosen and consistent with the budget total (DS1 budget)"),
    ),
    criteria=(
        Criterion(
            "kelayakan", "Layak untuk logistik kepulauan dan siklus anggaran", 3,
            ("Tidak ada rencana yang dapat dinilai.",
             "Jadwal dan biaya tidak realistis; perjalanan antarpulau atau siklus DPA diabaikan.",
             "Sebagian realistis, tetapi waktu tempuh, cuaca, atau ketersediaan dana belum diperhitungkan.",
             "Jadwal dan biaya realistis untuk wilayah kepulauan dan sesuai sumber dana yang tersedia.",
             ("Realistis dan rinci: waktu tempuh dan musim diperhitungkan, harga satuan wajar, dan sumber dana "
              "sudah pasti dalam siklus anggaran.")),
            title_en="Feasible for island logistics and the budget cycle",
            shows=("kegiatan", "rab", "total_rab", "sumber_dana"),
        ),
        Criterion(
            "risiko", "Risiko dan mitigasi", 2,
            ("Risiko tidak disebut.",
             "Risiko umum tanpa mitigasi.",
             "Beberapa risiko nyata disebut, tetapi mitigasinya kabur.",
             "Risiko utama disebut dengan mitigasi yang dapat dilakukan.",
             "Risiko utama lengkap (cuaca, anggaran, SDM, data) dengan mitigasi konkret dan penanggung jawabnya."),
            title_en="Risks and mitigations",
            shows=("risiko",),
        ),
    ),
)


# ---------------------------------------------------------------- DS4 Teori perubahan

CHAIN = ("input", "kegiatan", "output", "outcome", "dampak")


def _ds4_chain(a: Answers) -> list[Text]:
    out = missing(a, *CHAIN, "asumsi", "indikator_outcome")
    link = a.get("indikator_outcome")
    if not link:
        return out
    indicators = a.other("design.ds2").rows("indikator")
    if not indicators:
        return out + [T("Belum ada indikator di DS2. Isi DS2 dulu, lalu pilih indikator outcome di sini.",
                        "DS2 has no indicators yet. Fill DS2 first, then choose the outcome indicator here.")]
    match = [r for r in indicators if _norm(r.get("nama")) == _norm(link)]
    names = ", ".join(f"'{short(r.get('nama'), 120)}'" for r in indicators if r.get("nama"))  # to copy: whole
    if not match:
        out.append(T("Indikator '{x}' tidak ada lagi di DS2 (mungkin namanya sudah diubah). Pilih ulang salah satu "
                     "indikator DS2: {names}.",
                     "Indicator '{x}' is no longer in DS2 (its name may have changed). Choose again one of the "
                     "DS2 indicators: {names}.").format(
            x=short(link), names=names or "-"))
    elif match[0].get("jenis") not in (None, facts.INDICATOR_OUTCOME):
        out.append(T("Indikator '{x}' berjenis {j} di DS2. Outcome diukur dengan indikator berjenis {o}.",
                     "Indicator '{x}' is of the {j} kind in DS2. An outcome is measured by an {o} indicator.").format(
            x=short(link), j=match[0]["jenis"], o=facts.INDICATOR_OUTCOME))
    return out


DS4 = Exercise(
    id="design.ds4",
    code="DS4",
    title="Teori perubahan",
    title_en="Theory of change",
    instructions=(
        "Tuliskan rantai perubahan inovasi Anda: input (sumber daya) → kegiatan → output (hasil "
        "langsung) → outcome (perubahan bagi pengguna layanan) → dampak (perubahan jangka panjang). "
        "Pilih indikator DS2 yang mengukur outcome, lalu asumsi yang harus "
        "benar agar rantai ini berjalan."),
    instructions_en=(
        "Write the change chain of your innovation: input (resources) → activities → output (direct "
        "results) → outcome (change for service users) → impact (long-term change). Name the DS2 "
        "indicator that measures the outcome (choose it from the list), then the assumptions that must "
        "hold for the chain to work."),
    fields=(
        LongText("input", "Input (sumber daya)", label_en="Inputs"),
        LongText("kegiatan", "Kegiatan", label_en="Activities"),
        LongText("output", "Output (hasil langsung)", label_en="Outputs"),
        LongText("outcome", "Outcome (perubahan bagi pengguna layanan)", label_en="Outcome"),
        LongText("dampak", "Dampak (jangka panjang)", label_en="Impact"),
        Choice("indikator_outcome", "Indikator DS2 yang mengukur outcome", label_en="DS2 indicator of the outcome",
               options_from="design.ds2:indikator.nama", help="Pilih indikator berjenis Outcome dari DS2."),
        LongText("asumsi", "Asumsi", label_en="Assumptions"),
    ),
    checks=(
        Check("rantai", "Rantai lengkap dan outcome terhubung ke indikator DS2", 1, _ds4_chain,
              "Chain complete, outcome linked to a DS2 indicator"),
    ),
    criteria=(
        Criterion(
            "logika", "Rantai logika masuk akal", 3,
            ("Tidak ada rantai yang dapat dinilai.",
             "Tingkatan tertukar (kegiatan ditulis sebagai outcome) atau tidak saling berhubungan.",
             "Rantai berurutan, tetapi ada lompatan yang tidak dijelaskan.",
             "Setiap tingkatan mengikuti dari tingkatan sebelumnya dan outcome terukur.",
             ("Rantai runtut dan meyakinkan, outcome terukur dengan indikator DS2, dan dampak sejalan dengan "
              "isu strategis daerah.")),
            title_en="Plausible logic chain",
            shows=(*CHAIN, "indikator_outcome"),
        ),
        Criterion(
            "asumsi", "Asumsi dinyatakan", 2,
            ("Tidak ada asumsi.",
             "Asumsi umum (\"semua berjalan lancar\").",
             "Beberapa asumsi nyata, tetapi tidak dikaitkan dengan tingkatan rantai.",
             "Asumsi utama disebut dan dikaitkan dengan tingkatan rantai yang terdampak.",
             "Asumsi utama lengkap, dikaitkan dengan tingkatan rantai, dan disertai cara memantaunya."),
            title_en="Assumptions stated",
            shows=("asumsi",),
        ),
    ),
)

EXERCISES: tuple[Exercise, ...] = (DS1, DS2, DS3, DS4)
