"""Reference facts the checks and rubrics use, one table each (see shared domain notes).

A trainer who needs another weight or threshold changes it here, once.
"""

from __future__ import annotations

from typing import NamedTuple

# APKL: a problem worth solving is Aktual, Problematik, Kekhalayakan (affects the public), Layak.
APKL: tuple[str, ...] = ("Aktual", "Problematik", "Kekhalayakan", "Layak")

# USG: Urgency, Seriousness, Growth, each scored 1–5; the highest total is the priority.
USG_MIN, USG_MAX = 1, 5

# Fishbone categories used in LAN training.
FISHBONE_CATEGORIES: tuple[str, ...] = ("Manusia", "Metode", "Sarana", "Anggaran", "Lingkungan", "Regulasi")

# Pentahelix elements of innovation actors.
PENTAHELIX: tuple[str, ...] = ("Pemerintah", "Masyarakat", "Akademisi", "Dunia usaha", "Media")

# PP 38/2017 on Inovasi Daerah.
PP38_BENTUK: tuple[str, ...] = ("Tata kelola pemerintahan daerah", "Pelayanan publik", "Inovasi daerah lainnya")
PP38_KRITERIA: tuple[str, ...] = (
    "Mengandung pembaharuan",
    "Memberi manfaat",
    "Tidak membebani masyarakat secara melanggar hukum",
    "Urusan kewenangan daerah",
    "Dapat direplikasi",
)
PP38_INISIATOR: tuple[str, ...] = ("Kepala daerah", "Anggota DPRD", "ASN", "Perangkat daerah", "Masyarakat")
PP38_JENIS: tuple[str, ...] = ("Digital", "Non-digital")
PP38_TAHAPAN: tuple[str, ...] = ("Inisiatif", "Uji coba", "Penerapan")

# LAN's three conditions for success and OECD's six core skills (self-rated 1–5 in DU2).
LAN_CONDITIONS: tuple[str, ...] = ("Kesiapan SDM aparatur", "Budaya inovasi", "Dukungan pimpinan")
OECD_SKILLS: tuple[str, ...] = ("Iterasi", "Literasi data", "Berpusat pada pengguna", "Rasa ingin tahu",
                                "Bercerita (storytelling)", "Keberanian mendobrak (insurgency)")
OECD_FACETS: tuple[str, ...] = ("Peningkatan (enhancement)", "Berorientasi misi", "Adaptif", "Antisipatif")

# KIPP 2023 general group: proposal sections and weights (total 100); DP1's rubric rescales them to 14.
KIPP_WEIGHTS: dict[str, float] = {
    "ringkasan": 0,
    "latar_belakang": 10,
    "kebaruan": 15,
    "implementasi": 5,
    "signifikansi": 30,
    "adaptabilitas": 20,
    "sumber_daya": 5,
    "keberlanjutan": 15,
}

# Indeks Inovasi Daerah: complaint-resolution bands (per cent resolved) and predikat bands.
IID_COMPLAINT_BANDS: tuple[tuple[float, float, str], ...] = (
    (0, 50, "≤50%"),
    (50, 90, "51–90%"),
    (90, 100, "≥91%"),
)
IID_PREDIKAT: tuple[tuple[float, float, str], ...] = (
    (60.01, 100, "Sangat Inovatif"),
    (35.0, 60.0, "Inovatif"),
    (0.01, 34.99, "Kurang Inovatif"),
    (0, 0, "Tidak Dapat Dinilai"),
)

# ------------------------------------------------------------------ Drum-up, Diagnose, Design
# Tables used by DU1–DU2, DG2–DG4 and DS1–DS4 (lablib/curriculum/drum_up.py, diagnose.py, design.py).

# DU1: how a service reaches its users.
SERVICE_CHANNELS: tuple[str, ...] = (
    "Loket kantor", "Daring (online)", "Jemput bola / keliling", "Melalui desa atau kecamatan", "Campuran")

# DU1: a function list shorter than this is not a tupoksi.
DU1_MIN_FUNCTIONS = 3

# DG2: a cause this similar (0–1, difflib ratio on lower-cased words) to the problem text only
# restates the problem. DG2 also needs causes in this many fishbone categories, or a why-chain
# this deep.
CAUSE_REPEATS_PROBLEM_RATIO = 0.8
FISHBONE_MIN_CATEGORIES = 3
FIVE_WHY_MIN_DEPTH = 3

# DG3: stakeholder grid. A 1–5 score of at least STAKEHOLDER_HIGH_FROM counts as "tinggi".
# Quadrant label by (influence high, interest high).
STAKEHOLDER_HIGH_FROM = 3
STAKEHOLDER_QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, True): "Kelola secara dekat",
    (True, False): "Jaga kepuasan",
    (False, True): "Beri informasi",
    (False, False): "Pantau",
}
STAKEHOLDER_MIN = 5
STAKEHOLDER_MIN_ELEMENTS = 3

# DG4: idea-selection criteria (column id suffix -> label). Each idea is scored 1–5 per
# criterion; the participant sets the weights (per cent, summing to 100). For "biaya" a higher
# score means cheaper.
DECISION_CRITERIA: dict[str, str] = {
    "dampak": "Dampak",
    "kelayakan": "Kelayakan",
    "biaya": "Biaya (makin murah makin tinggi)",
    "kebaruan": "Kebaruan",
    "tupoksi": "Kesesuaian tupoksi",
}
DECISION_WEIGHT_TOTAL = 100
IDEA_MIN = 3
IDEA_PREFIX = "Bagaimana kita"  # ideas are written as "How might we…" questions

# DS1: urusan pemerintahan (UU 23/2014 Pasal 12) plus the supporting functions.
URUSAN_PEMERINTAHAN: tuple[str, ...] = (
    # wajib, pelayanan dasar
    "Pendidikan", "Kesehatan", "Pekerjaan umum dan penataan ruang",
    "Perumahan rakyat dan kawasan permukiman",
    "Ketenteraman, ketertiban umum, dan pelindungan masyarakat", "Sosial",
    # wajib, bukan pelayanan dasar
    "Tenaga kerja", "Pemberdayaan perempuan dan pelindungan anak", "Pangan", "Pertanahan",
    "Lingkungan hidup", "Administrasi kependudukan dan pencatatan sipil",
    "Pemberdayaan masyarakat dan desa", "Pengendalian penduduk dan keluarga berencana",
    "Perhubungan", "Komunikasi dan informatika", "Koperasi, usaha kecil, dan menengah",
    "Penanaman modal", "Kepemudaan dan olahraga", "Statistik", "Persandian", "Kebudayaan",
    "Perpustakaan", "Kearsipan",
    # pilihan
    "Kelautan dan perikanan", "Pariwisata", "Pertanian", "Kehutanan",
    "Energi dan sumber daya mineral", "Perdagangan", "Perindustrian", "Transmigrasi",
    # penunjang (Bappeda, BPKAD, BKD, Inspektorat, …)
    "Fungsi penunjang urusan pemerintahan",
)
# DS1: IID "tematik" options. Unconfirmed: the list changes between IID rounds; edit here.
IID_TEMATIK: tuple[str, ...] = (
    "Digitalisasi layanan pemerintahan", "Penanggulangan kemiskinan", "Kemudahan investasi",
    "Prioritas aktual presiden", "Non tematik",
)
# DS1: the rancang bangun outline of the IID innovation profile (part id -> heading) and the
# minimum length of the six parts together.
RANCANG_BANGUN_OUTLINE: dict[str, str] = {
    "dasar_hukum": "Dasar hukum",
    "permasalahan": "Permasalahan (dengan data)",
    "isu_strategis": "Isu strategis",
    "metode": "Metode pembaharuan (sebelum dan sesudah)",
    "keunggulan": "Keunggulan dan kebaruan",
    "cara_kerja": "Tahapan dan cara kerja inovasi",
}
RANCANG_BANGUN_MIN_WORDS = 300
DS1_REQUIRED_TAHAPAN = "Inisiatif"  # a proposal in Design has not been trialled yet

# DS2: indicators.
INDICATOR_KINDS: tuple[str, ...] = ("Outcome", "Output", "Kegiatan")
INDICATOR_OUTCOME = "Outcome"
INDICATOR_DIRECTIONS: tuple[str, ...] = ("Naik", "Turun")
MEASUREMENT_FREQUENCIES: tuple[str, ...] = (
    "Harian", "Mingguan", "Dua mingguan", "Bulanan", "Triwulanan", "Semesteran", "Tahunan")
INDICATOR_MIN, INDICATOR_MAX = 1, 3

# DS3: funding sources of the action plan, and the rounding a budget line may differ by.
FUNDING_SOURCES: tuple[str, ...] = (
    "APBD (DPA OPD)", "APBN / DAK", "Dana desa", "CSR / dunia usaha", "Swadaya masyarakat",
    "Tanpa biaya tambahan", "Lainnya")
BUDGET_TOLERANCE_RUPIAH = 1

# ------------------------------------------------------------------ Deliver, Display
# Tables used by DV1–DV3 and DP1–DP2 (lablib/curriculum/deliver.py, display.py).

# DV1: complaint-resolution ratio bands are IID_COMPLAINT_BANDS above (the per-cent resolved
# is rounded to a whole number, then the first band whose upper bound it does not exceed wins).
# DV1 also needs this many weekly log rows (a 2–3 month trial logged weekly).
TRIAL_LOG_MIN_ROWS = 4

# IID "kemudahan proses" (service time): (most days, level). Average days are rounded to a
# whole number; the first row whose bound it does not exceed gives the level.
IID_SERVICE_DAYS_LEVELS: tuple[tuple[float, int], ...] = ((1, 3), (5, 2), (float("inf"), 1))

# Evidence a participant can attach to a claimed IID level (DV3).
IID_EVIDENCE: tuple[str, ...] = ("SK", "DPA", "SOP", "Foto", "Tangkapan layar")
IID_LEVEL_MIN, IID_LEVEL_MAX = 1, 3
DV3_MIN_INDICATORS = 5


class IIDIndicator(NamedTuple):
    """One per-innovation IID indicator: three ordinal levels (1 lowest … 3 highest), a weight."""

    key: str
    name: str
    levels: tuple[str, str, str]
    weight: float


# The 20 per-innovation IID indicators [practice]. Level wording follows regional practice;
# the weights are placeholders for training (unconfirmed: implementations differ) and sum to
# 100. DV3's weighted self-assessment score is the sum of weight × level over the indicators
# a participant claims. Change a weight or a level here, once.
IID_INDICATORS: tuple[IIDIndicator, ...] = (
    IIDIndicator("regulasi", "Regulasi inovasi daerah",
                 ("SK kepala perangkat daerah", "SK kepala daerah", "Peraturan kepala daerah / Perda"), 6),
    IIDIndicator("sdm", "Ketersediaan SDM terhadap inovasi daerah",
                 ("1–10 orang", "11–30 orang", "lebih dari 30 orang"), 4),
    IIDIndicator("anggaran", "Dukungan anggaran",
                 ("anggaran di tahun berjalan (T-0)", "anggaran di T-0 dan T-1",
                  "anggaran di T-0, T-1, dan T-2"), 5),
    IIDIndicator("alat_kerja", "Alat kerja (penggunaan TI)",
                 ("manual", "semi-elektronik", "elektronik penuh / terintegrasi"), 4),
    IIDIndicator("bimtek", "Bimtek inovasi",
                 ("1 kali dalam 2 tahun terakhir", "2 kali", "lebih dari 2 kali"), 4),
    IIDIndicator("rkpd", "Integrasi program dan kegiatan inovasi dalam RKPD",
                 ("ada di RKPD T-0", "ada di RKPD T-0 dan T-1", "ada di RKPD T-0, T-1, dan T-2"), 5),
    IIDIndicator("aktor", "Keterlibatan aktor inovasi (pentahelix)",
                 ("2 unsur", "3 unsur", "lebih dari 3 unsur"), 5),
    IIDIndicator("pelaksana", "Pelaksana inovasi daerah",
                 ("ditetapkan SK kepala perangkat daerah", "ditetapkan SK kepala daerah",
                  "ditetapkan SK kepala daerah dan ada tim lintas perangkat daerah"), 5),
    IIDIndicator("jejaring", "Jejaring inovasi",
                 ("melibatkan 1–2 perangkat daerah", "3–4 perangkat daerah", "5 perangkat daerah atau lebih"), 5),
    IIDIndicator("sosialisasi", "Sosialisasi inovasi daerah",
                 ("media sosial", "media sosial dan berita daring", "media sosial, berita, dan media cetak/elektronik"), 4),
    IIDIndicator("pedoman", "Pedoman teknis",
                 ("SOP tertulis", "pedoman dapat diakses daring", "pedoman daring dan video panduan"), 4),
    IIDIndicator("informasi", "Kemudahan informasi layanan",
                 ("layanan telepon / tatap muka", "layanan pesan (WhatsApp) atau e-mail",
                  "aplikasi atau situs daring"), 5),
    IIDIndicator("proses", "Kemudahan proses (waktu layanan)",
                 ("6 hari atau lebih", "2–5 hari", "1 hari"), 7),
    IIDIndicator("pengaduan", "Penyelesaian layanan pengaduan",
                 tuple(f"{label} pengaduan terselesaikan" for *_, label in IID_COMPLAINT_BANDS), 7),
    IIDIndicator("terintegrasi", "Layanan terintegrasi",
                 ("belum terintegrasi", "terintegrasi dengan 1 layanan lain", "terintegrasi dengan 2 layanan lain atau lebih"), 5),
    IIDIndicator("replikasi", "Replikasi",
                 ("direplikasi 1 kali", "2 kali", "lebih dari 2 kali"), 6),
    IIDIndicator("kecepatan", "Kecepatan penciptaan inovasi",
                 ("lebih dari 9 bulan", "5–9 bulan", "kurang dari 5 bulan"), 3),
    IIDIndicator("kemanfaatan", "Kemanfaatan inovasi",
                 ("1–100 penerima manfaat", "101–200 penerima manfaat", "lebih dari 200 penerima manfaat"), 8),
    IIDIndicator("monev", "Monitoring dan evaluasi inovasi daerah",
                 ("monev internal OPD", "monev oleh perangkat daerah lain / survei", "monev oleh lembaga independen"), 5),
    IIDIndicator("video", "Video inovasi",
                 ("video dokumentasi kegiatan", "video penerapan yang diunggah daring",
                  "video penerapan dengan testimoni pengguna, diunggah daring"), 3),
)

# KIPP: the ringkasan has at most this many words (KIPP 2023 general group).
KIPP_RINGKASAN_MAX_WORDS = 200
