"""Deliver stage: the trial log (DV1), reflection and iteration (DV2), IID self-assessment (DV3).

Deliver is released weeks after the workshop, when the trial (uji coba) has run. Its answers
file carries an imported copy of the participant's Design indicators (``design.ds2``) so the
trial results can be compared with the baseline the participant promised to move.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

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
from lablib.curriculum._common import count_between, missing, missing_cells, quotes_number, short

# ---------------------------------------------------------------- shared helpers

IMPORT_DESIGN = T(
    "Jawaban Design Anda (indikator DS2) belum diimpor. Jalankan bagian 'Ambil jawaban tahap "
    "sebelumnya' di awal notebook, tekan tombolnya, lalu tekan Periksa lagi.",
    "Your Design answers (DS2 indicators) have not been imported yet. Run the 'Ambil jawaban tahap "
    "sebelumnya' section at the top of the notebook, press its button, then press Check again.")



def field_type_errors(a: Answers, field_id: str) -> list[Text]:
    """The type errors that belong to one field (a table's are prefixed by its row label)."""
    f = a.exercise.field(field_id)
    if isinstance(f, Table):
        prefix = f"{f.row_label} "
        return [m for m in a.type_errors if m.id.startswith(prefix)]
    return [m for m in a.type_errors if f"'{f.label}'" in m.id]


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def fmt(value: object) -> str:
    """A number in the one Indonesian style (``lablib.core.formatting``): 68.5 -> '68,5'.

    >>> fmt(68.5), fmt(14.0), fmt(-78.5714)
    ('68,5', '14', '-78,57')
    """
    return formatting.number(value, empty="kosong") if is_number(value) else "kosong"


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def complaint_band(percent: float) -> str:
    """The IID band label of a complaint-resolution percentage (whole-number rounding).

    >>> complaint_band(50.4), complaint_band(50.6), complaint_band(90.0), complaint_band(90.5)
    ('≤50%', '51–90%', '51–90%', '≥91%')
    """
    p = round_half_up(percent)
    for _, high, label in facts.IID_COMPLAINT_BANDS:
        if p <= high:
            return label
    return facts.IID_COMPLAINT_BANDS[-1][2]


def service_days_level(days: float) -> int:
    """IID level of 'kemudahan proses' for an average service time in days.

    >>> service_days_level(1), service_days_level(3), service_days_level(5.4), service_days_level(7)
    (3, 2, 2, 1)
    """
    d = round_half_up(days)
    for bound, level in facts.IID_SERVICE_DAYS_LEVELS:
        if d <= bound:
            return level
    return facts.IID_SERVICE_DAYS_LEVELS[-1][1]


def complaint_totals(rows: Iterable[dict]) -> tuple[int, int] | None:
    """(received, resolved) summed over the rows where both are non-negative numbers."""
    received = resolved = 0
    seen = False
    for r in rows:
        m, s = r.get("aduan_masuk"), r.get("aduan_selesai")
        if is_number(m) and is_number(s) and m >= 0 and s >= 0:
            received, resolved, seen = received + m, resolved + s, True
    return (received, resolved) if seen else None


def resolution_percent(received: float, resolved: float) -> float:
    """Per cent of complaints resolved; no complaint received counts as 100 (nothing left open)."""
    return 100.0 if received == 0 else resolved / received * 100


def norm(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


# DS2 is defined by the Design stage; these are the ids of its indicator table.
DS2_ID = "design.ds2"
DS2_TABLE, DS2_NAME, DS2_BASELINE = "indikator", "nama", "baseline"


def ds2_baselines(a: Answers) -> dict[str, tuple[str, float | None]] | Text:
    """``{normalised name: (name, baseline)}`` of the imported DS2 indicators, or a message."""
    if not a.has(DS2_ID):
        return IMPORT_DESIGN
    try:
        ds2 = a.other(DS2_ID)
        rows = ds2.rows(DS2_TABLE)
    except KeyError:  # the Design stage is not defined in this lablib version
        return IMPORT_DESIGN
    found = {norm(r.get(DS2_NAME)): (str(r.get(DS2_NAME)).strip(), r.get(DS2_BASELINE))
             for r in rows if norm(r.get(DS2_NAME))}
    if not found:
        return T("Jawaban DS2 yang diimpor belum berisi indikator. Lengkapi DS2 di tahap Design, "
                 "lalu impor ulang.",
                 "The imported DS2 answers hold no indicator. Complete DS2 in the Design stage, then "
                 "import again.")
    return found


def _first(messages: list[Text], limit: int = 5) -> list[Text]:
    if len(messages) <= limit:
        return messages
    return messages[:limit] + [T("… dan {k} masalah lain.", "… and {k} more problems.").format(k=len(messages) - limit)]


# ---------------------------------------------------------------- DV1 Log uji coba

LOG_NUMBERS = ("dilayani", "hari_layanan", "aduan_masuk", "aduan_selesai")


def _dv1_log(a: Answers) -> list[Text]:
    out = count_between(a, "log", facts.TRIAL_LOG_MIN_ROWS, None)
    out += missing_cells(a, "log")
    out += field_type_errors(a, "log")[:3]
    cal = a.calendar
    previous = None
    dated: list[Text] = []
    for n, row in enumerate(a.rows("log"), start=1):
        day = row.get("tanggal")
        if day is None:
            continue
        if not cal.in_deliver(day):
            dated.append(T("Minggu {n}: tanggal {d} di luar masa uji coba ({s} s.d. {e}). Perbaiki tanggalnya.",
                           "Week {n}: date {d} is outside the trial window ({s} to {e}). Correct the date.").format(
                n=n, d=formatting.date(day), s=formatting.date(cal.deliver_start), e=formatting.date(cal.deliver_end)))
        if previous is not None and day <= previous:
            dated.append(T("Minggu {n}: tanggal {d} tidak sesudah minggu sebelumnya ({p}). Urutkan baris dari "
                           "tanggal paling awal, satu baris per minggu.",
                           "Week {n}: date {d} is not after the previous week ({p}). Order the rows from the "
                           "earliest date, one row per week.").format(
                n=n, d=formatting.date(day), p=formatting.date(previous)))
        previous = day
    return _first(out + dated)


def _dv1_numbers(a: Answers) -> list[Text]:
    rows = a.rows("log")
    if not rows:
        return [T("Log uji coba masih kosong. Isi satu baris untuk setiap minggu uji coba.",
                  "The trial log is empty. Fill in one row for each week of the trial.")]
    table = a.exercise.field("log")
    labels = {c.id: c.label for c in table.columns}
    out: list[Text] = []
    for n, row in enumerate(rows, start=1):
        for key in LOG_NUMBERS:
            v = row.get(key)
            if is_number(v) and v < 0:
                out.append(T("Minggu {n}: '{col}' tidak boleh negatif (tertulis {v}).",
                             "Week {n}: '{col}' cannot be negative (got {v}).").format(n=n, col=labels[key], v=fmt(v)))
        m, s = row.get("aduan_masuk"), row.get("aduan_selesai")
        if is_number(m) and is_number(s) and s > m:
            out.append(T("Minggu {n}: pengaduan selesai ({s}) lebih banyak dari pengaduan masuk ({m}). "
                         "Periksa kembali catatan pengaduan minggu itu.",
                         "Week {n}: complaints resolved ({s}) exceed complaints received ({m}). "
                         "Check that week's complaint records again.").format(n=n, s=fmt(s), m=fmt(m)))
    return _first(out)


def trial_baselines(rows: list[dict]) -> list[float | None]:
    """The computed ``baseline`` column of DV1's change table: each chosen indicator's DS2
    baseline, from the imported Design answers (``rows.answers``)."""
    found = ds2_baselines(rows.answers)
    found = {} if isinstance(found, Text) else found
    return [found.get(norm(r.get("indikator")), (None, None))[1] for r in rows]


def trial_change(baseline: object, result: object) -> float | None:
    """Result − baseline, rounded to 4 decimals (``None`` unless both are numbers).

    >>> trial_change(61, 68.5), trial_change(14, 3), trial_change(None, 3)
    (7.5, -11, None)
    """
    if not (is_number(baseline) and is_number(result)):
        return None
    return round(result - baseline, 4)


def trial_change_percent(baseline: object, result: object) -> float | None:
    """(result − baseline) ÷ baseline × 100, to one decimal (``None`` for a baseline of 0).

    >>> trial_change_percent(61, 68.5), trial_change_percent(14, 3), trial_change_percent(0, 5)
    (12.3, -78.6, None)
    """
    change = trial_change(baseline, result)
    if change is None or baseline == 0:
        return None
    return round(change / baseline * 100, 1)


def trial_changes(rows: list[dict]) -> list[float | None]:
    """The computed ``perubahan`` column (its ``baseline`` column is computed first)."""
    return [trial_change(b, r.get("capaian")) for b, r in zip(trial_baselines(rows), rows)]


def trial_change_percents(rows: list[dict]) -> list[float | None]:
    """The computed ``perubahan_persen`` column."""
    return [trial_change_percent(b, r.get("capaian")) for b, r in zip(trial_baselines(rows), rows)]


def complaint_ratio(a: Answers) -> float | None:
    """The computed ``rasio_pengaduan`` of DV1: per cent of the logged complaints resolved, to
    one decimal; ``None`` with no complaint figures or more resolved than received."""
    totals = complaint_totals(a.rows("log"))
    if totals is None or totals[1] > totals[0]:
        return None
    return round(resolution_percent(*totals), 1)


def complaint_ratio_band(a: Answers) -> str | None:
    """The computed ``band_pengaduan`` of DV1: the IID band of the complaint-resolution ratio."""
    totals = complaint_totals(a.rows("log"))
    if totals is None or totals[1] > totals[0]:
        return None
    return complaint_band(resolution_percent(*totals))


def _dv1_change(a: Answers) -> list[Text]:
    baselines = ds2_baselines(a)
    if isinstance(baselines, Text):
        return [baselines]
    out = count_between(a, "perubahan", 1, 3)
    out += missing_cells(a, "perubahan", "indikator", "capaian")
    out += field_type_errors(a, "perubahan")[:3]
    names = ", ".join(f"'{short(name)}'" for name, _ in baselines.values())
    seen: set[str] = set()
    for n, row in enumerate(a.rows("perubahan"), start=1):
        name = row.get("indikator")
        if not norm(name):
            continue
        if norm(name) in seen:
            out.append(T("Baris {n}: indikator '{i}' sudah diukur di baris lain. Hapus salah satunya.",
                         "Row {n}: indicator '{i}' is already measured in another row. Remove one of them.").format(
                n=n, i=short(name)))
        seen.add(norm(name))
        if norm(name) not in baselines:
            out.append(T("Baris {n}: indikator '{i}' tidak ada lagi di DS2 yang diimpor. Pilih ulang dari daftar: "
                         "{names}.",
                         "Row {n}: indicator '{i}' is no longer in the imported DS2. Choose again from the list: "
                         "{names}.").format(n=n, i=short(name), names=names))
    # The trial exists to move the outcome the participant promised in DS2: it must be measured.
    try:
        outcomes = {norm(r.get(DS2_NAME)) for r in a.other(DS2_ID).rows(DS2_TABLE)
                    if r.get("jenis") == facts.INDICATOR_OUTCOME}
    except KeyError:
        outcomes = set()
    if outcomes and not outcomes & seen:
        out.append(T("Belum ada indikator outcome DS2 yang diukur. Tambahkan capaian akhir indikator outcome.",
                     "No DS2 outcome indicator is measured yet. Add the final result of an outcome indicator."))
    return _first(out)


def _dv1_complaints(a: Answers) -> list[Text]:
    totals = complaint_totals(a.rows("log"))
    if totals is None:
        return [T("Belum ada angka pengaduan di log. Isi pengaduan masuk dan selesai setiap minggu (0 bila tidak ada).",
                  "The log has no complaint figures yet. Fill in complaints received and resolved each week "
                  "(0 if none).")]
    received, resolved = totals
    if resolved > received:
        return [T("Total pengaduan selesai ({s}) melebihi total pengaduan masuk ({m}); rasio tidak dapat "
                  "dihitung. Perbaiki log.",
                  "Total complaints resolved ({s}) exceed those received ({m}); the ratio cannot be computed. "
                  "Fix the log.").format(s=fmt(resolved), m=fmt(received))]
    # An honest interpretation starts from the figures: it quotes at least one final result.
    results = [(r.get("indikator"), r.get("capaian")) for r in a.rows("perubahan") if is_number(r.get("capaian"))]
    text = a.get("interpretasi")
    if results and isinstance(text, str) and text.strip() and not any(quotes_number(text, c) for _, c in results):
        wanted = "; ".join(f"'{short(name)}': {fmt(c)}" for name, c in results)
        return [T("Tafsiran belum menyebut capaian akhir uji coba ({w}). Tafsirkan angkanya: sebutkan paling "
                  "sedikit satu capaian dan artinya.",
                  "The interpretation does not quote a final result of the trial ({w}). Interpret the figures: "
                  "quote at least one result and what it means.").format(w=wanted)]
    return []


DV1 = Exercise(
    id="deliver.dv1",
    code="DV1",
    title="Log uji coba",
    title_en="Trial log",
    instructions=(
        "Catat hasil uji coba setiap minggu: tanggal (akhir minggu), jumlah warga yang dilayani, "
        "rata-rata lama layanan (hari), serta pengaduan yang masuk dan yang selesai. Semua tanggal "
        "harus berada dalam masa uji coba dan berurutan. Lalu pilih indikator DS2 Anda (paling sedikit "
        "indikator outcome) dan isi capaian akhirnya; baseline, perubahan, dan persentasenya, serta "
        "persentase pengaduan terselesaikan dan band IID-nya, dihitung otomatis. Tuliskan tafsiran Anda "
        "atas angka-angka itu dengan jujur, termasuk yang belum berhasil."),
    instructions_en=(
        "Log the trial every week: date (end of the week), people served, average service time "
        "(days), complaints received and resolved. All dates must fall inside the trial window and be "
        "in order. Then choose your DS2 indicators (the outcome one at least) and give their final "
        "results; the baseline, the change and its percentage, the per cent of complaints resolved "
        "and its IID band are computed for you. Write an honest interpretation of those figures, "
        "including what did not work."),
    fields=(
        Table(
            "log", "Log mingguan uji coba", label_en="Weekly trial log", min_rows=facts.TRIAL_LOG_MIN_ROWS,
            max_rows=26, row_label="Minggu", help="Satu baris untuk satu minggu uji coba.",
            columns=(
                DateField("tanggal", "Tanggal (akhir minggu)", label_en="Date (end of week)"),
                Number("dilayani", "Warga dilayani", label_en="People served", unit="orang", integer=True,
                       minimum=0),
                Number("hari_layanan", "Rata-rata lama layanan", label_en="Average service time", unit="hari",
                       minimum=0),
                Number("aduan_masuk", "Pengaduan masuk", label_en="Complaints received", integer=True, minimum=0),
                Number("aduan_selesai", "Pengaduan selesai", label_en="Complaints resolved", integer=True,
                       minimum=0),
                ShortText("catatan", "Catatan minggu ini", label_en="Note for the week", required=False,
                          help="Contoh: lokasi jemput bola, kendala cuaca"),
            ),
        ),
        Table(
            "perubahan", "Perubahan dibanding baseline DS2", label_en="Change against the DS2 baseline",
            min_rows=1, max_rows=3, row_label="Indikator",
            help="Satu baris untuk setiap indikator DS2 yang diukur selama uji coba.",
            columns=(
                Choice("indikator", "Indikator DS2", label_en="DS2 indicator",
                       options_from=f"{DS2_ID}:{DS2_TABLE}.{DS2_NAME}"),
                Computed("baseline", "Baseline (dari DS2)", label_en="Baseline (from DS2)", compute=trial_baselines),
                Number("capaian", "Capaian akhir uji coba", label_en="Result at the end of the trial"),
                Computed("perubahan", "Perubahan (capaian − baseline)", label_en="Change (result − baseline)",
                         compute=trial_changes),
                Computed("perubahan_persen", "Perubahan (%)", label_en="Change (%)", unit="%",
                         compute=trial_change_percents, help="(capaian − baseline) ÷ baseline × 100; kosong bila baseline 0"),
            ),
        ),
        Computed("rasio_pengaduan", "Pengaduan terselesaikan (%)", label_en="Complaints resolved (%)", unit="%",
                 compute=complaint_ratio, help="Total pengaduan selesai ÷ total pengaduan masuk × 100"),
        Computed("band_pengaduan", "Band IID penyelesaian pengaduan", label_en="IID complaint-resolution band",
                 compute=complaint_ratio_band),
        LongText("interpretasi", "Tafsiran data uji coba", label_en="Interpretation of the trial data",
                 help="Apa arti angka-angka ini? Apa yang berhasil, apa yang belum, dan mengapa?"),
    ),
    checks=(
        Check("log", "Log mingguan lengkap, tanggal dalam masa uji coba dan berurutan", 0.75, _dv1_log,
              "Weekly log complete, dates inside the trial window and in order"),
        Check("angka", "Angka log wajar: tidak negatif, pengaduan selesai ≤ masuk", 0.75, _dv1_numbers,
              "Log figures sound: no negatives, resolved ≤ received"),
        Check("perubahan", "Capaian akhir indikator DS2 dicatat, termasuk indikator outcome", 0.75, _dv1_change,
              "Final results of the DS2 indicators recorded, the outcome one included"),
        Check("pengaduan", "Pengaduan tercatat dan tafsiran menyebut capaian uji coba", 0.75, _dv1_complaints,
              "Complaints logged and the interpretation quotes the trial results"),
    ),
    criteria=(
        Criterion(
            "tafsiran_jujur", "Menafsirkan data uji coba secara jujur", 3,
            ("Tidak ada tafsiran data.",
             "Tafsiran hanya mengulang angka atau mengklaim berhasil tanpa melihat data.",
             "Tafsiran sesuai data, tetapi hasil yang buruk atau belum tercapai tidak dibahas.",
             "Tafsiran jujur: keberhasilan dan kekurangan disebut, dengan penjelasan yang masuk akal.",
             ("Tafsiran jujur dan tajam: tren, penyimpangan, dan keterbatasan data dijelaskan, "
              "lengkap dengan pelajaran untuk iterasi berikutnya.")),
            title_en="Interprets the trial data honestly",
            shows=("log", "perubahan", "rasio_pengaduan", "band_pengaduan", "interpretasi"),
        ),
    ),
)

# ---------------------------------------------------------------- DV2 Refleksi & iterasi

DV2_MIN_WORDS = 50


def _dv2_writing(a: Answers) -> list[Text]:
    out = missing(a, "apa_berubah", "iterasi")
    for fid in ("apa_berubah", "iterasi"):
        n = word_count(a.get(fid))
        if a.filled(fid) and n < DV2_MIN_WORDS:
            out.append(T("'{label}' baru {n} kata; tulis paling sedikit {m} kata.",
                         "'{label}' has {n} words; write at least {m}.").format(
                label=a.exercise.field(fid).label, n=n, m=DV2_MIN_WORDS))
    return out + field_type_errors(a, "apa_berubah") + field_type_errors(a, "iterasi")


def _dv2_risks(a: Answers) -> list[Text]:
    if not a.rows("risiko"):
        return [T("Tuliskan paling sedikit satu risiko beserta mitigasinya.",
                  "Write at least one risk with its mitigation.")]
    return _first(missing_cells(a, "risiko", "risiko", "mitigasi") + field_type_errors(a, "risiko")[:3])


DV2 = Exercise(
    id="deliver.dv2",
    code="DV2",
    title="Refleksi & iterasi",
    title_en="Reflection and iteration",
    instructions=(
        "Renungkan uji coba Anda. Tuliskan apa yang Anda ubah selama uji coba dan mengapa (sebutkan data "
        "atau kejadian yang mendorong perubahan itu), risiko yang Anda hadapi beserta mitigasinya, dan "
        "rencana iterasi berikutnya. Setiap bagian tulisan paling sedikit 50 kata."),
    instructions_en=(
        "Reflect on your trial. Write what you changed during the trial and why (name the data or event "
        "that drove the change), the risks you faced with their mitigations, and the plan for the next "
        "iteration. Each written section needs at least 50 words."),
    fields=(
        LongText("apa_berubah", "Apa yang berubah selama uji coba dan mengapa", min_words=DV2_MIN_WORDS,
                 label_en="What changed during the trial and why"),
        Table(
            "risiko", "Risiko dan mitigasi", label_en="Risks and mitigations", min_rows=1, max_rows=8,
            row_label="Risiko",
            columns=(
                ShortText("risiko", "Risiko", label_en="Risk"),
                ShortText("mitigasi", "Mitigasi", label_en="Mitigation"),
                ShortText("penanggung_jawab", "Penanggung jawab", label_en="Owner", required=False),
            ),
        ),
        LongText("iterasi", "Rencana iterasi berikutnya", min_words=DV2_MIN_WORDS, label_en="Next iteration"),
    ),
    checks=(
        Check("tulisan", "Refleksi dan rencana iterasi cukup panjang", 0.5, _dv2_writing,
              "Reflection and iteration plan long enough"),
        Check("risiko", "Setiap risiko punya mitigasi", 0.5, _dv2_risks, "Every risk has a mitigation"),
    ),
    criteria=(
        Criterion(
            "adaptasi_berbasis_bukti", "Adaptasi didorong oleh bukti", 3,
            ("Tidak ada refleksi.",
             "Perubahan disebut tanpa alasan atau tanpa kaitan dengan data uji coba.",
             "Sebagian perubahan dikaitkan dengan data atau umpan balik, mitigasi risiko masih umum.",
             "Perubahan jelas lahir dari data dan umpan balik pengguna; mitigasi risiko konkret.",
             ("Setiap perubahan dan rencana iterasi bersandar pada bukti yang disebut; risiko dan "
              "mitigasi spesifik, ada penanggung jawab dan waktunya.")),
            title_en="Adaptation driven by evidence",
            shows=("apa_berubah", "risiko", "iterasi"),
        ),
    ),
)

# ---------------------------------------------------------------- DV3 Penilaian mandiri IID

IID_BY_NAME = {i.name: i for i in facts.IID_INDICATORS}
IID_BY_KEY = {i.key: i for i in facts.IID_INDICATORS}


def iid_score(rows: Iterable[dict]) -> float:
    """Weighted self-assessment score: Σ weight × level over rows with a known indicator and level."""
    total = 0.0
    for r in rows:
        ind, level = IID_BY_NAME.get(r.get("indikator") or ""), r.get("level")
        if ind is not None and is_number(level) and facts.IID_LEVEL_MIN <= level <= facts.IID_LEVEL_MAX:
            total += ind.weight * level
    return round(total, 4)


def _dv1_evidence_levels(a: Answers) -> dict[str, int]:
    """IID levels the DV1 log supports (complaints, service time), when the log allows it."""
    dv1 = a.other("deliver.dv1")
    levels: dict[str, int] = {}
    rows = dv1.rows("log")
    totals = complaint_totals(rows)
    if totals is not None and totals[1] <= totals[0]:
        band = complaint_band(resolution_percent(*totals))
        labels = [label for *_, label in facts.IID_COMPLAINT_BANDS]
        levels["pengaduan"] = labels.index(band) + 1
    days = [r.get("hari_layanan") for r in rows if is_number(r.get("hari_layanan")) and r.get("hari_layanan") >= 0]
    if days:
        levels["proses"] = service_days_level(days[-1])
    return levels


def iid_weighted_score(a: Answers) -> float | None:
    """The computed ``skor`` of DV3: ``iid_score`` of the claims (``None`` with no claim)."""
    rows = a.rows("klaim")
    return iid_score(rows) if rows else None


def level_note(row: dict) -> str | None:
    """The ``row_note`` of DV3's claims: what levels 1–3 mean for the row's indicator (facts.py)."""
    ind = IID_BY_NAME.get(row.get("indikator") or "")
    if ind is None:
        return None
    return " · ".join(f"Level {n}: {d}" for n, d in enumerate(ind.levels, start=facts.IID_LEVEL_MIN))


def _dv3_evidence(a: Answers) -> list[Text]:
    out = count_between(a, "klaim", facts.DV3_MIN_INDICATORS, len(facts.IID_INDICATORS))
    out += missing_cells(a, "klaim")
    out += field_type_errors(a, "klaim")[:3]
    seen: set[str] = set()
    for n, row in enumerate(a.rows("klaim"), start=1):
        name, level = row.get("indikator"), row.get("level")
        if name and name in seen:
            out.append(T("Baris {n}: indikator '{i}' sudah dinilai di baris lain. Hapus salah satunya.",
                         "Row {n}: indicator '{i}' is already assessed in another row. Remove one of them.").format(
                n=n, i=short(name)))
        seen.add(name or "")
        if is_number(level) and not facts.IID_LEVEL_MIN <= level <= facts.IID_LEVEL_MAX:
            out.append(T("Baris {n}: level harus {lo}–{hi} (tertulis {v}).",
                         "Row {n}: the level must be {lo}–{hi} (got {v}).").format(
                n=n, lo=facts.IID_LEVEL_MIN, hi=facts.IID_LEVEL_MAX, v=fmt(level)))
    return _first(out)


def _dv3_score(a: Answers) -> list[Text]:
    rows = a.rows("klaim")
    if not rows:
        return [T("Belum ada indikator IID yang dinilai.", "No IID indicator has been assessed yet.")]
    # The weighted score is only as good as its claims: those the trial log can confirm must match it.
    out: list[Text] = []
    supported = _dv1_evidence_levels(a)
    for n, row in enumerate(rows, start=1):
        ind, level = IID_BY_NAME.get(row.get("indikator") or ""), row.get("level")
        if ind is None or not is_number(level) or ind.key not in supported:
            continue
        expected = supported[ind.key]
        if level != expected:
            out.append(T("Baris {n}: log uji coba (DV1) mendukung level {e} untuk '{i}' ({d}), bukan level {v}. "
                         "Sesuaikan klaim dengan data uji coba.",
                         "Row {n}: the trial log (DV1) supports level {e} for '{i}' ({d}), not level {v}. "
                         "Match the claim to the trial data.").format(
                n=n, e=expected, i=ind.name, d=ind.levels[expected - 1], v=fmt(level)))
    return _first(out)


def _weights_help() -> str:
    return "; ".join(f"{i.name}: bobot {fmt(i.weight)}" for i in facts.IID_INDICATORS)


DV3 = Exercise(
    id="deliver.dv3",
    code="DV3",
    title="Penilaian mandiri IID",
    title_en="IID self-assessment",
    instructions=(
        "Pilih paling sedikit lima indikator Indeks Inovasi Daerah (IID) yang relevan dengan inovasi "
        "Anda. Untuk setiap indikator tentukan level yang sudah dicapai (1–3), jenis bukti (SK, DPA, "
        "SOP, foto, atau tangkapan layar), dan keterangan buktinya (nomor dokumen atau nama file). "
        "Arti level 1–3 setiap indikator tampil di bawah barisnya. Klaim untuk waktu layanan dan "
        "penyelesaian pengaduan harus sesuai log uji coba (DV1). Skor tertimbang (jumlah bobot × level) "
        "dihitung otomatis."),
    instructions_en=(
        "Choose at least five Indeks Inovasi Daerah (IID) indicators relevant to your innovation. For "
        "each, give the level reached (1–3), the evidence type (SK, DPA, SOP, photo or screenshot) and "
        "a description of the evidence (document number or file name). What levels 1–3 mean for each "
        "indicator is shown under its row. Claims for service time and complaint resolution must match "
        "the trial log (DV1). The weighted score (sum of weight × level) is computed for you."),
    fields=(
        Table(
            "klaim", "Penilaian indikator IID", label_en="IID indicator assessment",
            min_rows=facts.DV3_MIN_INDICATORS, max_rows=len(facts.IID_INDICATORS), row_label="Indikator",
            help="Bobot indikator: " + _weights_help(), row_note=level_note,
            columns=(
                Choice("indikator", "Indikator IID", label_en="IID indicator",
                       options=tuple(i.name for i in facts.IID_INDICATORS)),
                Number("level", "Level dicapai (1–3)", label_en="Level reached (1–3)", integer=True,
                       minimum=facts.IID_LEVEL_MIN, maximum=facts.IID_LEVEL_MAX),
                Choice("bukti", "Jenis bukti", label_en="Evidence type", options=facts.IID_EVIDENCE),
                ShortText("keterangan", "Keterangan bukti", label_en="Evidence description",
                          help="Contoh: SK Kepala Dinas No. …, foto kegiatan tanggal …"),
            ),
        ),
        Computed("skor", "Skor tertimbang (jumlah bobot × level)", label_en="Weighted score (sum of weight × level)",
                 compute=iid_weighted_score),
    ),
    checks=(
        Check("bukti", "Setiap level yang diklaim punya jenis dan keterangan bukti", 1, _dv3_evidence,
              "Every claimed level has an evidence type and description"),
        Check("skor", "Klaim yang menentukan skor tertimbang sesuai data uji coba (DV1)", 1, _dv3_score,
              "The claims behind the weighted score match the trial data (DV1)"),
    ),
    criteria=(
        Criterion(
            "klaim_masuk_akal", "Klaim level IID masuk akal dan didukung bukti", 3,
            ("Tidak ada penilaian mandiri.",
             "Sebagian besar klaim berlebihan atau buktinya tidak sesuai dengan level yang diklaim.",
             "Klaim umumnya wajar, tetapi beberapa bukti lemah atau tidak cocok dengan indikatornya.",
             "Klaim wajar dan setiap bukti cocok dengan level yang diklaim.",
             "Klaim hati-hati dan jujur, bukti spesifik (nomor dokumen, tanggal) dan mudah diverifikasi."),
            title_en="IID level claims plausible and evidenced",
            shows=("klaim", "skor"),
        ),
    ),
)

EXERCISES: tuple[Exercise, ...] = (DV1, DV2, DV3)
