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
