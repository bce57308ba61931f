"""Drum-up stage: the OPD's profile and tupoksi (DU1), commitment and readiness (DU2)."""

from __future__ import annotations

import re

from lablib.core import formatting
from lablib.core.checks import Answers, Check
from lablib.core.exercises import Exercise
from lablib.core.fields import Choice, DateField, LongText, Number, Scale, ShortText, Table
from lablib.core.i18n import T, Text
from lablib.core.rubrics import Criterion
from lablib.curriculum import facts
from lablib.curriculum._common import count_between, missing, missing_cells, short


def _norm(text: object) -> str:
    """Lower-cased, single-spaced text for comparing two answers typed by hand."""
    return " ".join(str(text or "").lower().split())


def _slug(label: str) -> str:
    """A field id from a facts label: ``"Kesiapan SDM aparatur"`` → ``"kesiapan_sdm_aparatur"``.

    >>> _slug("Keberanian mendobrak (insurgency)")
    'keberanian_mendobrak_insurgency'
    """
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


# ---------------------------------------------------------------- DU1 Profil OPD & tupoksi


def _du1_profile(a: Answers) -> list[Text]:
    out = missing(a, "nama_opd", "dasar_hukum", "champion")
    out += count_between(a, "fungsi", facts.DU1_MIN_FUNCTIONS, None)
    out += missing_cells(a, "fungsi", "uraian")
    if not a.rows("tim"):
        out.append(T("Tim inovasi belum diisi. Tuliskan paling sedikit satu anggota tim selain champion.",
                     "The innovation team is empty. List at least one team member besides the champion."))
    out += missing_cells(a, "tim", "nama", "jabatan")
    return out + a.type_errors[:3]


def _du1_services(a: Answers) -> list[Text]:
    services = a.rows("layanan")
    if not services:
        return [T("Belum ada layanan. Tuliskan paling sedikit satu layanan OPD beserta jumlah penggunanya per tahun.",
                  "No service yet. List at least one of the OPD's services with its users per year.")]
    functions = {_norm(r.get("uraian")) for r in a.rows("fungsi") if r.get("uraian")}
    out = missing_cells(a, "layanan", "nama", "kanal")
    for n, row in enumerate(services, start=1):
        name = short(row.get("nama") or n)
        users = row.get("pengguna_per_tahun")
        if users is None:
            out.append(T("Layanan '{s}': isi jumlah pengguna per tahun sebagai angka (perkiraan boleh).",
                         "Service '{s}': give the users per year as a number (an estimate is fine).").format(s=name))
        elif users < 0:
            out.append(T("Layanan '{s}': jumlah pengguna per tahun tidak boleh negatif (tertulis {v}).",
                         "Service '{s}': users per year cannot be negative (got {v}).").format(s=name, v=users))
        linked = row.get("fungsi")
        if not linked:
            out.append(T("Layanan '{s}': pilih fungsi OPD yang menaunginya.",
                         "Service '{s}': choose the OPD function it belongs to.").format(s=name))
        elif _norm(linked) not in functions:
            out.append(T("Layanan '{s}': fungsi '{f}' tidak ada di daftar fungsi. Pilih ulang dari daftar fungsi.",
                         "Service '{s}': function '{f}' is not in the function list. Choose again from the list.")
                       .format(s=name, f=short(linked)))
    return out


DU1 = Exercise(
    id="drum-up.du1",
    code="DU1",
    title="Profil OPD & tupoksi",
    title_en="OPD profile and duties (tupoksi)",
    instructions=(
        "Tuliskan nama OPD dan dasar hukum tugas pokok dan fungsinya (tupoksi), lalu daftar fungsi "
        "OPD (paling sedikit tiga). Untuk setiap layanan OPD, isi jumlah pengguna per tahun, kanal "
        "layanan, dan fungsi yang menaunginya. Terakhir tuliskan champion inovasi dan anggota tim."),
    instructions_en=(
        "Give the OPD's name and the legal basis of its duties and functions (tupoksi), then list "
        "its functions (at least three). For each service give the users per year, the channel and "
        "the function it belongs to. Finally name the innovation champion and the team members."),
    fields=(
        ShortText("nama_opd", "Nama OPD", label_en="OPD name",
                  help="Contoh: Dinas Kependudukan dan Pencatatan Sipil Kabupaten Banggai Kepulauan"),
        LongText("dasar_hukum", "Dasar hukum tupoksi", label_en="Legal basis of the tupoksi",
                 help="Peraturan bupati/wali kota tentang kedudukan, susunan organisasi, tugas dan fungsi OPD."),
        Table("fungsi", "Fungsi OPD", label_en="OPD functions", min_rows=facts.DU1_MIN_FUNCTIONS,
              row_label="Fungsi", help="Satu baris untuk satu fungsi, sesuai dasar hukum.",
              columns=(ShortText("uraian", "Fungsi", label_en="Function"),)),
        Table("layanan", "Layanan OPD", label_en="OPD services", min_rows=1, row_label="Layanan",
              columns=(
                  ShortText("nama", "Layanan", label_en="Service", help="Contoh: Penerbitan akta kelahiran"),
                  Number("pengguna_per_tahun", "Pengguna per tahun", label_en="Users per year",
                         unit="orang", minimum=0),
                  Choice("kanal", "Kanal layanan", label_en="Channel", options=facts.SERVICE_CHANNELS),
                  Choice("fungsi", "Fungsi terkait", label_en="Linked function", options_from="fungsi.uraian"),
              )),
        ShortText("champion", "Champion inovasi (nama dan jabatan)", label_en="Innovation champion (name and post)"),
        Table("tim", "Tim inovasi", label_en="Innovation team", min_rows=1, row_label="Anggota",
              columns=(
                  ShortText("nama", "Nama", label_en="Name"),
                  ShortText("jabatan", "Jabatan", label_en="Post"),
                  ShortText("peran", "Peran dalam tim", label_en="Role in the team", required=False),
              )),
    ),
    checks=(
        Check("profil", "Profil, fungsi, dan tim lengkap", 1, _du1_profile,
              "Profile, functions and team complete"),
        Check("layanan", "Setiap layanan punya pengguna dan fungsi", 1, _du1_services,
              "Every service has users and a function"),
    ),
    criteria=(
        Criterion(
            "peta_layanan", "Peta fungsi → layanan tepat dan lengkap", 3,
            ("Tidak ada peta fungsi dan layanan yang dapat dinilai.",
             "Fungsi disalin umum; layanan tidak sesuai fungsi atau banyak yang terlewat.",
             "Sebagian besar layanan terhubung ke fungsi yang benar, tetapi ada layanan utama yang terlewat.",
             "Fungsi sesuai dasar hukum; layanan utama lengkap dan terhubung ke fungsi yang benar.",
             ("Peta lengkap dan tepat, jumlah pengguna masuk akal, dan terlihat layanan mana yang paling "
              "berdampak pada publik.")),
            title_en="Function → service map accurate and complete",
            shows=("dasar_hukum", "fungsi", "layanan"),
        ),
    ),
)


# ---------------------------------------------------------------- DU2 Komitmen & kesiapan

# Rating field ids come from the facts labels, so a trainer renames a condition in one place.
DU2_CONDITIONS: dict[str, str] = {f"lan_{_slug(c)}": c for c in facts.LAN_CONDITIONS}
DU2_SKILLS: dict[str, str] = {f"oecd_{_slug(s)}": s for s in facts.OECD_SKILLS}
_PLACEHOLDER_NAMES = {"nama", "nama penandatangan", "penandatangan", "xxx", "tbd", "belum ada", "-", "..."}


def _du2_commitment(a: Answers) -> list[Text]:
    out = missing(a, "pernyataan", "penandatangan", "jabatan", "tanggal", "refleksi")
    signer = a.get("penandatangan")
    if signer:
        letters = re.findall(r"[^\W\d_]", signer)
        if len(letters) < 3 or _norm(signer).strip(" .") in _PLACEHOLDER_NAMES:
            out.append(T("Penandatangan '{v}' belum berupa nama orang. Tuliskan nama lengkap penandatangan.",
                         "Signer '{v}' is not a person's name. Write the signer's full name.").format(v=short(signer)))
        elif a.get("jabatan") and _norm(signer) == _norm(a.get("jabatan")):
            out.append(T("Penandatangan tertulis sama dengan jabatannya ('{v}'). Tuliskan nama orangnya.",
                         "The signer is the same as the post ('{v}'). Write the person's name.").format(v=short(signer)))
    day = a.get("tanggal")
    cal = a.calendar
    if day is not None and not cal.in_workshop(day):
        out.append(T("Tanggal komitmen {d} di luar waktu bimtek ({s} s.d. {e}). Tuliskan tanggal penandatanganan "
                     "saat bimtek.",
                     "The commitment date {d} is outside the workshop ({s} to {e}). Use the date it was signed "
                     "at the workshop.").format(d=formatting.date(day), s=formatting.date(cal.workshop_start),
                                                e=formatting.date(cal.workshop_end)))
    unrated = [label for fid, label in {**DU2_CONDITIONS, **DU2_SKILLS}.items()
               if a.get(fid) is None or not Scale.minimum <= a.get(fid) <= Scale.maximum]
    if unrated:
        out.append(T("Beri nilai 1–5 untuk: {x}.", "Rate 1–5: {x}.").format(x=", ".join(unrated)))
    return out + a.type_errors[:3]



DU2 = Exercise(
    id="drum-up.du2",
    code="DU2",
    title="Komitmen & kesiapan",
    title_en="Commitment and readiness",
    instructions=(
        "Tuliskan pernyataan komitmen inovasi OPD Anda: layanan yang akan diperbaiki, siapa "
        "penanggung jawabnya, dan kapan mulai. Isi nama dan jabatan penandatangan serta tanggal "
        "penandatanganan (selama bimtek). Lalu nilai sendiri kesiapan OPD pada tiga syarat "
        "keberhasilan LAN dan enam keterampilan inovator OECD (1–5), dan tuliskan refleksi singkat."),
    instructions_en=(
        "Write your OPD's innovation commitment: the service to improve, who owns it and when it "
        "starts. Give the signer's name and post and the signing date (during the workshop). Then "
        "rate your OPD on LAN's three conditions for success and OECD's six innovator skills (1–5), "
        "and write a short reflection."),
    fields=(
        LongText("pernyataan", "Pernyataan komitmen", label_en="Commitment statement",
                 help="Sebutkan layanan, penanggung jawab, dan tanggal mulai."),
        ShortText("penandatangan", "Nama penandatangan", label_en="Signer's name"),
        ShortText("jabatan", "Jabatan penandatangan", label_en="Signer's post"),
        DateField("tanggal", "Tanggal penandatanganan", label_en="Date signed"),
        *(Scale(fid, f"Syarat LAN: {label}", label_en=f"LAN condition: {label}",
                low_label="sangat lemah", high_label="sangat kuat")
          for fid, label in DU2_CONDITIONS.items()),
        *(Scale(fid, f"Keterampilan OECD: {label}", label_en=f"OECD skill: {label}",
                low_label="sangat lemah", high_label="sangat kuat")
          for fid, label in DU2_SKILLS.items()),
        LongText("refleksi", "Refleksi kesiapan", label_en="Readiness reflection",
                 help="Apa kekuatan dan kelemahan terbesar OPD Anda, dan apa yang akan dilakukan?"),
    ),
    checks=(
        Check("komitmen", "Komitmen ditandatangani saat bimtek dan semua butir dinilai", 1, _du2_commitment,
              "Commitment signed at the workshop and every item rated"),
    ),
    criteria=(
        Criterion(
            "komitmen_konkret", "Komitmen konkret: menyebut layanan, penanggung jawab, dan tanggal", 2,
            ("Tidak ada pernyataan komitmen.",
             "Komitmen umum (\"siap berinovasi\") tanpa layanan, penanggung jawab, atau tanggal.",
             "Menyebut salah satu dari layanan, penanggung jawab, atau tanggal.",
             "Menyebut layanan, penanggung jawab, dan tanggal, tetapi ada yang kabur.",
             "Menyebut dengan jelas layanan yang diperbaiki, penanggung jawab yang bernama, dan tanggal mulai."),
            title_en="Concrete commitment: names a service, an owner and a date",
            shows=("pernyataan", "penandatangan", "jabatan", "tanggal"),
        ),
        Criterion(
            "refleksi_kesiapan", "Refleksi kesiapan spesifik", 2,
            ("Tidak ada refleksi.",
             "Refleksi umum yang tidak berkaitan dengan nilai yang diberikan.",
             "Menyebut kekuatan atau kelemahan, tetapi tanpa contoh dari OPD sendiri.",
             "Kekuatan dan kelemahan disertai contoh nyata dari OPD sendiri.",
             "Spesifik, jujur, sesuai nilai yang diberikan, dan disertai langkah perbaikan yang jelas."),
            title_en="Specific readiness reflection",
            shows=("refleksi", *DU2_CONDITIONS, *DU2_SKILLS),
        ),
    ),
)

EXERCISES: tuple[Exercise, ...] = (DU1, DU2)
