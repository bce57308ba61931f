"""Display stage: the KIPP-style proposal (DP1) and the pitch and dissemination plan (DP2).

Display's answers file carries an imported copy of the participant's trial log (``deliver.dv1``)
so the proposal's signifikansi can be checked against the numbers the trial produced.
DP1's rubric is KIPP 2023's section weights (``facts.KIPP_WEIGHTS``) rescaled to its points.
"""

from __future__ import annotations

from lablib.core.checks import Answers, Check
from lablib.core.exercises import Exercise
from lablib.core.fields import LongText, ShortText, Table, word_count
from lablib.core.i18n import T, Text
from lablib.core.rubrics import Criterion
from lablib.curriculum import facts
from lablib.curriculum._common import missing, missing_cells, numbers_in, quotes_number, short  # noqa: F401 (numbers_in: re-exported)
from lablib.curriculum.deliver import field_type_errors, fmt, is_number, norm

IMPORT_DELIVER = T(
    "Jawaban Deliver Anda (log uji coba DV1) belum diimpor. Jalankan bagian 'Ambil jawaban tahap "
    "sebelumnya' di awal notebook, tekan tombolnya, lalu tekan Periksa lagi.",
    "Your Deliver answers (DV1 trial log) have not been imported yet. Run the 'Ambil jawaban tahap "
    "sebelumnya' section at the top of the notebook, press its button, then press Check again.")

# ---------------------------------------------------------------- DP1 Proposal gaya KIPP

DP1_RUBRIC_POINTS = 14
DP1_MIN_WORDS = 50  # every section except the ringkasan

# Section id (= key of facts.KIPP_WEIGHTS) -> label, English label, help, five level descriptors.
KIPP_SECTIONS: dict[str, tuple[str, str, str, tuple[str, str, str, str, str]]] = {
    "ringkasan": (
        "Ringkasan", "Summary",
        "Paling banyak 200 kata: masalah, inovasi, dan hasil utamanya.",
        ("", "", "", "", ""),  # weight 0 in KIPP: not judged
    ),
    "latar_belakang": (
        "Latar belakang dan tujuan", "Background and aims",
        "Masalah layanan yang dihadapi (dengan data), dan tujuan inovasi.",
        ("Tidak ada latar belakang.",
         "Masalah disebut umum, tanpa data, tujuan kabur.",
         "Masalah dan tujuan jelas, data pendukung terbatas.",
         "Masalah didukung data dan terkait tupoksi; tujuan terukur.",
         "Masalah tajam dengan data yang jelas sumbernya; tujuan terukur dan langsung menjawab masalah."),
    ),
    "kebaruan": (
        "Kebaruan / nilai tambah", "Novelty and added value",
        "Apa yang baru dibanding cara lama dan dibanding inovasi serupa di daerah lain.",
        ("Tidak ada uraian kebaruan.",
         "Menyalin cara lama atau inovasi lain tanpa perubahan berarti.",
         "Ada unsur baru, tetapi perbedaannya dengan cara lama kurang jelas.",
         "Kebaruan jelas untuk konteks daerah, dengan perbandingan sebelum/sesudah.",
         "Kebaruan kuat dan orisinal untuk konteks kepulauan, nilai tambahnya jelas bagi warga."),
    ),
    "implementasi": (
        "Implementasi", "Implementation",
        "Bagaimana inovasi dijalankan: tahapan, pelaku, jadwal uji coba.",
        ("Tidak ada uraian implementasi.",
         "Langkah pelaksanaan tidak jelas.",
         "Langkah pelaksanaan disebut, tetapi pelaku atau jadwalnya kurang lengkap.",
         "Tahapan, pelaku, dan jadwal jelas dan sesuai dengan yang dilaksanakan.",
         "Implementasi rinci dan terbukti berjalan, kendala dan penyesuaiannya diuraikan."),
    ),
    "signifikansi": (
        "Signifikansi (hasil dan dampak)", "Significance (results and impact)",
        "Hasil uji coba dengan angka sebelum dan sesudah dari log uji coba (DV1).",
        ("Tidak ada uraian hasil.",
         "Hasil diklaim tanpa angka atau angka tidak sesuai data uji coba.",
         "Ada angka sebelum/sesudah, tetapi dampak bagi warga belum jelas.",
         "Perubahan terukur dan sesuai data uji coba, dampak bagi warga diuraikan.",
         "Dampak besar dan terbukti dengan data, termasuk bagi kelompok rentan dan wilayah terpencil."),
    ),
    "adaptabilitas": (
        "Adaptabilitas (dapat direplikasi)", "Adaptability (can be replicated)",
        "Bagaimana inovasi dapat ditiru OPD atau daerah lain, dan syaratnya.",
        ("Tidak ada uraian adaptabilitas.",
         "Replikasi hanya disebut tanpa penjelasan.",
         "Syarat replikasi disebut, tetapi belum ada calon atau bukti minat.",
         "Cara dan syarat replikasi jelas, ada calon mitra yang masuk akal.",
         "Sudah ada minat atau replikasi nyata, dengan panduan yang siap dipakai pihak lain."),
    ),
    "sumber_daya": (
        "Sumber daya", "Resources",
        "SDM, anggaran, sarana, dan mitra yang dipakai.",
        ("Tidak ada uraian sumber daya.",
         "Sumber daya disebut sangat umum.",
         "SDM dan anggaran disebut, tetapi tidak rinci.",
         "SDM, anggaran, sarana, dan mitra diuraikan dan sesuai rencana aksi.",
         "Sumber daya rinci, efisien, dan memanfaatkan kemitraan dengan baik."),
    ),
    "keberlanjutan": (
        "Strategi keberlanjutan", "Sustainability strategy",
        "Bagaimana inovasi bertahan: regulasi, anggaran rutin, kelembagaan, monev.",
        ("Tidak ada strategi keberlanjutan.",
         "Keberlanjutan hanya berupa harapan.",
         "Ada rencana, tetapi belum didukung regulasi atau anggaran.",
         "Keberlanjutan didukung rencana regulasi, anggaran, dan penanggung jawab.",
         "Keberlanjutan terjamin: sudah ada regulasi atau anggaran rutin, kelembagaan, dan monev."),
    ),
}

_unknown = set(facts.KIPP_WEIGHTS) - set(KIPP_SECTIONS)
if _unknown:  # a trainer added a KIPP section in facts.py without its wording here
    raise RuntimeError(f"facts.KIPP_WEIGHTS has sections {sorted(_unknown)} with no label and descriptors "
                       "in lablib/curriculum/display.py KIPP_SECTIONS; add them there")

def kipp_points(section: str) -> float:
    """Rubric points of a DP1 section: its KIPP weight rescaled to DP1's rubric points.

    >>> kipp_points("signifikansi"), kipp_points("implementasi")
    (4.2, 0.7)
    """
    return round(facts.KIPP_WEIGHTS[section] * DP1_RUBRIC_POINTS / sum(facts.KIPP_WEIGHTS.values()), 4)


def _dp1_summary(a: Answers) -> list[Text]:
    out = field_type_errors(a, "ringkasan")
    n = word_count(a.get("ringkasan"))
    if n == 0:
        return out + [T("Ringkasan belum diisi. Tulis 1–{m} kata: masalah, inovasi, dan hasil utamanya.",
                        "The summary is empty. Write 1–{m} words: the problem, the innovation and its main "
                        "result.").format(m=facts.KIPP_RINGKASAN_MAX_WORDS)]
    if n > facts.KIPP_RINGKASAN_MAX_WORDS:
        out.append(T("Ringkasan {n} kata; paling banyak {m}. Persingkat.",
                     "The summary has {n} words; at most {m}. Shorten it.").format(
            n=n, m=facts.KIPP_RINGKASAN_MAX_WORDS))
    return out


def _dp1_sections(a: Answers) -> list[Text]:
    out: list[Text] = []
    for section in facts.KIPP_WEIGHTS:
        if section == "ringkasan":
            continue
        f = a.exercise.field(section)
        minimum = getattr(f, "min_words", 0)
        out += field_type_errors(a, section)
        n = word_count(a.get(section))
        if n == 0:
            out.append(T("Bagian '{label}' belum diisi (paling sedikit {m} kata).",
                         "Section '{label}' is empty (at least {m} words).").format(label=f.label, m=minimum))
        elif n < minimum:
            out.append(T("Bagian '{label}' baru {n} kata; tulis paling sedikit {m} kata.",
                         "Section '{label}' has {n} words; write at least {m}.").format(label=f.label, n=n, m=minimum))
    return out


def _dp1_numbers(a: Answers) -> list[Text]:
    if not a.has("deliver.dv1"):
        return [IMPORT_DELIVER]
    pairs = [(r.get("indikator"), r.get("baseline"), r.get("capaian"))
             for r in a.other("deliver.dv1").rows("perubahan")]
    pairs = [(name, b, c) for name, b, c in pairs if is_number(b) and is_number(c)]
    if not pairs:
        return [T("Log uji coba (DV1) yang diimpor belum berisi baseline dan capaian indikator. Lengkapi "
                  "tabel perubahan di DV1, lalu impor ulang.",
                  "The imported trial log (DV1) has no indicator baseline and result yet. Complete the change "
                  "table in DV1, then import again.")]
    text = a.get("signifikansi")
    if not isinstance(text, str) or not text.strip():
        return [T("Bagian Signifikansi belum diisi. Sebutkan angka sebelum dan sesudah dari DV1, misalnya "
                  "'{i}: dari {b} menjadi {c}'.",
                  "The Significance section is empty. Quote the before and after figures from DV1, e.g. "
                  "'{i}: from {b} to {c}'.").format(i=short(pairs[0][0]), b=fmt(pairs[0][1]), c=fmt(pairs[0][2]))]
    if any(quotes_number(text, b) and quotes_number(text, c) for _, b, c in pairs):
        return []
    wanted = "; ".join(f"'{short(name)}': {fmt(b)} → {fmt(c)}" for name, b, c in pairs)
    return [T("Bagian Signifikansi belum menyebut angka sebelum dan sesudah dari log uji coba (DV1): {w}. "
              "Tuliskan baseline dan capaian akhir paling sedikit satu indikator, misalnya 'dari {b} menjadi {c}'.",
              "The Significance section does not quote the before and after figures of the trial log (DV1): "
              "{w}. Write the baseline and final result of at least one indicator, e.g. 'from {b} to {c}'.").format(
        w=wanted, b=fmt(pairs[0][1]), c=fmt(pairs[0][2]))]


def _section_field(section: str) -> LongText:
    label, label_en, help_text, _ = KIPP_SECTIONS[section]
    if section == "ringkasan":
        return LongText(section, label, help=help_text, label_en=label_en, min_words=1,
                        max_words=facts.KIPP_RINGKASAN_MAX_WORDS)
    return LongText(section, label, help=help_text, label_en=label_en, min_words=DP1_MIN_WORDS)


def _section_criterion(section: str) -> Criterion:
    label, label_en, _, descriptors = KIPP_SECTIONS[section]
    return Criterion(section, label, kipp_points(section), descriptors, title_en=label_en, shows=(section,))


DP1 = Exercise(
    id="display.dp1",
    code="DP1",
    title="Proposal gaya KIPP",
    title_en="KIPP-style proposal",
    instructions=(
        "Susun proposal inovasi Anda mengikuti bagian-bagian Kompetisi Inovasi Pelayanan Publik (KIPP): "
        "ringkasan (paling banyak 200 kata), latar belakang dan tujuan, kebaruan, implementasi, "
        "signifikansi, adaptabilitas, sumber daya, dan strategi keberlanjutan. Setiap bagian selain "
        "ringkasan paling sedikit 50 kata. Di bagian signifikansi, sebutkan angka sebelum dan sesudah "
        "dari log uji coba Anda (DV1)."),
    instructions_en=(
        "Write your innovation proposal in the sections of the Public Service Innovation Competition "
        "(KIPP): summary (at most 200 words), background and aims, novelty, implementation, "
        "significance, adaptability, resources and sustainability strategy. Every section except the "
        "summary needs at least 50 words. In the significance section, quote the before and after "
        "figures from your trial log (DV1)."),
    fields=tuple(_section_field(s) for s in facts.KIPP_WEIGHTS),
    checks=(
        Check("ringkasan", "Ringkasan 1–200 kata", 1, _dp1_summary, "Summary 1–200 words"),
        Check("bagian", "Semua bagian proposal terisi cukup panjang", 1, _dp1_sections,
              "All proposal sections present and long enough"),
        Check("angka", "Signifikansi memuat angka sebelum/sesudah sesuai DV1", 1, _dp1_numbers,
              "Significance quotes before/after figures consistent with DV1"),
    ),
    criteria=tuple(_section_criterion(s) for s, w in facts.KIPP_WEIGHTS.items() if w > 0),
)

# ---------------------------------------------------------------- DP2 Pitch & diseminasi

DP2_PITCH_MIN_WORDS = 15
DP2_MIN_CHANNELS = 3
PITCH_PARTS = ("pitch_masalah", "pitch_solusi", "pitch_ajakan")


def _dp2_pitch(a: Answers) -> list[Text]:
    out = missing(a, *PITCH_PARTS)
    for fid in PITCH_PARTS:
        out += field_type_errors(a, fid)
        n = word_count(a.get(fid))
        if 0 < n < DP2_PITCH_MIN_WORDS:
            out.append(T("'{label}' baru {n} kata; tulis paling sedikit {m} kata.",
                         "'{label}' has {n} words; write at least {m}.").format(
                label=a.exercise.field(fid).label, n=n, m=DP2_PITCH_MIN_WORDS))
    return out


def _dp2_dissemination(a: Answers) -> list[Text]:
    out: list[Text] = []
    channels = {norm(r.get("kanal")) for r in a.rows("kanal")} - {""}
    if len(channels) < DP2_MIN_CHANNELS:
        out.append(T("Baru {n} kanal diseminasi yang berbeda; tuliskan paling sedikit {m}.",
                     "Only {n} distinct dissemination channels; list at least {m}.").format(
            n=len(channels), m=DP2_MIN_CHANNELS))
    out += missing_cells(a, "kanal")
    partners = [r for r in a.rows("mitra") if norm(r.get("mitra"))]
    if not partners:
        out.append(T("Tuliskan paling sedikit satu calon mitra replikasi (OPD atau daerah lain).",
                     "Name at least one replication partner (another OPD or region)."))
    out += missing_cells(a, "mitra")
    out += field_type_errors(a, "kanal")[:2] + field_type_errors(a, "mitra")[:2]
    return out[:6]


DP2 = Exercise(
    id="display.dp2",
    code="DP2",
    title="Pitch & diseminasi",
    title_en="Pitch and dissemination",
    instructions=(
        "Siapkan pitch tiga bagian untuk pameran atau presentasi (masalah yang menggugah, solusi dengan "
        "buktinya, dan ajakan kepada pendengar), paling sedikit tiga kanal diseminasi, dan paling sedikit "
        "satu calon mitra replikasi."),
    instructions_en=(
        "Prepare a three-part pitch for the expo or presentation (a problem that grabs attention, the "
        "solution with its evidence, and a call to action), at least three dissemination channels and at "
        "least one replication partner."),
    fields=(
        LongText("pitch_masalah", "Pitch 1: masalah (pembuka)", label_en="Pitch 1: the problem (hook)"),
        LongText("pitch_solusi", "Pitch 2: solusi dan buktinya", label_en="Pitch 2: the solution and its evidence"),
        LongText("pitch_ajakan", "Pitch 3: ajakan", label_en="Pitch 3: call to action"),
        Table(
            "kanal", "Kanal diseminasi", label_en="Dissemination channels", min_rows=DP2_MIN_CHANNELS,
            max_rows=10, row_label="Kanal",
            columns=(
                ShortText("kanal", "Kanal", label_en="Channel", help="Contoh: Expo Inovasi Daerah, radio, Instagram OPD"),
                ShortText("sasaran", "Sasaran", label_en="Audience"),
                ShortText("waktu", "Waktu", label_en="When", required=False),
            ),
        ),
        Table(
            "mitra", "Calon mitra replikasi", label_en="Replication partners", min_rows=1, max_rows=5,
            row_label="Mitra",
            columns=(
                ShortText("mitra", "Mitra (OPD atau daerah)", label_en="Partner (OPD or region)"),
                ShortText("alasan", "Mengapa cocok", label_en="Why it fits"),
            ),
        ),
    ),
    checks=(
        Check("pitch", "Pitch tiga bagian lengkap", 0.5, _dp2_pitch, "Three-part pitch complete"),
        Check("diseminasi", "Paling sedikit tiga kanal dan satu mitra replikasi", 0.5, _dp2_dissemination,
              "At least three channels and one replication partner"),
    ),
    criteria=(
        Criterion(
            "pitch_persuasif", "Pitch meyakinkan dan jelas", 2,
            ("Tidak ada pitch.",
             "Pitch membingungkan; masalah, solusi, dan ajakan tidak tersambung.",
             "Pitch runtut, tetapi datar atau tanpa bukti.",
             "Pitch jelas dan meyakinkan, memakai data uji coba sebagai bukti.",
             "Pitch memikat: cerita warga, bukti kuat, dan ajakan spesifik yang mudah ditindaklanjuti."),
            title_en="Persuasive, clear pitch",
            shows=PITCH_PARTS + ("kanal", "mitra"),
        ),
    ),
)

EXERCISES: tuple[Exercise, ...] = (DP1, DP2)
