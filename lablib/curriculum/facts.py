"""Reference facts the checks and rubrics use, one table each (see shared domain notes).

A trainer who needs another weight or threshold changes it here, once.
"""

from __future__ import annotations

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
