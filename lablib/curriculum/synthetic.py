"""Synthetic participants: deterministic answer sets for tests, demos and trainer previews.

Every answer set is made from the worked example's model answers (``samples.model_answers``)
by mutation, so it covers whichever exercises the curriculum defines. Profiles:

- ``model``: the model answers exactly (earn every automatic point);
- ``complete``: retold for the participant's OPD (service names, systems) with some figures
  varied; full automatic marks are likely;
- ``partial``: about half the stage's exercises are left half-filled;
- ``empty``: nothing filled (``{}``);
- ``inconsistent``: complete, but wrong totals, ranks and scores, complaints resolved beyond
  those received, weights not summing to 100, figures that disagree with the trial log;
- ``off_topic``: every free text replaced by unrelated text of the same length; numbers,
  dates and choices kept.

A later stage's answers carry copies of earlier stages' entries (``design.ds2`` in Deliver),
and these copies are mutated exactly as the earlier stage's own entries are (same text
substitutions, same varied figures), so a participant stays consistent across stages. Only
the stage's own exercises get the profile's damage (half-filled, inconsistent).

>>> a = synthetic_answers("deliver", "complete", seed=3, opd="perikanan")
>>> a == synthetic_answers("deliver", "complete", seed=3, opd="perikanan")
True
"""

from __future__ import annotations

import copy
import hashlib
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lablib.core.exercises import Exercise
from lablib.core.fields import Choice, Field, LongText, Number, ShortText, Table, word_count
from lablib.core.stages import get_stage
from lablib.curriculum import all_exercises
from lablib.curriculum.samples import model_answers

PROFILES: tuple[str, ...] = ("model", "complete", "partial", "empty", "inconsistent", "off_topic")
EMAIL_DOMAIN = "banggaikep.example"  # fictional: synthetic people must never look like real addresses


# ---------------------------------------------------------------- OPDs of the synthetic cohort

@dataclass(frozen=True)
class _Opd:
    slug: str  # folder-safe
    name: str  # as shown in a roster
    jabatan: tuple[str, ...]
    terms: tuple[tuple[str, str], ...]  # (worked-example wording, this OPD's wording)
    urusan: str = "Administrasi kependudukan dan pencatatan sipil"


def _terms(full: str, short: str, domain: str, domain_short: str, service1: str, service2: str,
           service3: str, system: str, sector: str) -> tuple[tuple[str, str], ...]:
    return (
        ("Dinas Kependudukan dan Pencatatan Sipil", full),
        ("administrasi kependudukan dan pencatatan sipil", domain),
        ("administrasi kependudukan", domain),
        ("Disdukcapil", short),
        ("Dukcapil", short),
        ("adminduk", domain_short),
        ("akta kelahiran", service1),
        ("akta", service1),
        ("KTP-el", service2),
        ("Kartu Keluarga", service3),
        ("SIAK", system),
        ("kependudukan", sector),
    )


_KECAMATAN_JABATAN = ("Camat", "Sekretaris Camat", "Kepala Seksi Pelayanan Umum", "Analis Pelayanan")


def _kecamatan(name: str) -> _Opd:
    slug = "kec-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return _Opd(slug, f"Kecamatan {name}", _KECAMATAN_JABATAN, _terms(
        f"Kantor Camat {name}", f"Kecamatan {name}", "pelayanan administrasi terpadu kecamatan", "PATEN",
        "surat keterangan usaha", "rekomendasi izin keramaian", "legalisasi dokumen desa",
        "aplikasi PATEN kecamatan", "pelayanan kecamatan"), "Fungsi penunjang urusan pemerintahan")


OPDS: tuple[_Opd, ...] = (
    _Opd("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil",
         ("Kepala Dinas", "Sekretaris Dinas", "Kepala Bidang Pelayanan Pencatatan Sipil", "Kepala Bidang PIAK",
          "Operator SIAK"), ()),
    _Opd("dinkes", "Dinas Kesehatan", ("Kepala Dinas", "Kepala Bidang Pelayanan Kesehatan", "Kepala Puskesmas",
                                        "Pengelola Program Imunisasi"),
         _terms("Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana", "Dinas Kesehatan",
                "pelayanan kesehatan dasar", "layanan kesehatan", "imunisasi dasar lengkap", "kartu JKN-KIS",
                "rujukan berjenjang", "SIMPUS", "kesehatan"), "Kesehatan"),
    _Opd("puskesmas", "Puskesmas Salakan (Dinas Kesehatan)", ("Kepala Puskesmas", "Bidan Koordinator",
                                                              "Kepala Tata Usaha Puskesmas"),
         _terms("UPTD Puskesmas Salakan Dinas Kesehatan Daerah", "Puskesmas Salakan",
                "pelayanan kesehatan ibu dan anak", "layanan KIA", "pemeriksaan kehamilan",
                "buku KIA", "rujukan persalinan", "aplikasi e-Kohort", "kesehatan"), "Kesehatan"),
    _Opd("perikanan", "Dinas Perikanan", ("Kepala Dinas", "Kepala Bidang Perikanan Tangkap",
                                          "Penyuluh Perikanan", "Analis Perizinan"),
         _terms("Dinas Kelautan dan Perikanan Daerah", "Dinas Perikanan", "perizinan usaha perikanan",
                "izin kapal", "tanda daftar kapal perikanan", "kartu KUSUKA nelayan",
                "surat izin penangkapan ikan", "aplikasi e-KUSUKA", "perikanan"), "Kelautan dan perikanan"),
    _Opd("dpmptsp", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
         ("Kepala Dinas", "Kepala Bidang Perizinan", "Analis Perizinan", "Operator OSS"),
         _terms("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP", "perizinan berusaha",
                "perizinan", "nomor induk berusaha", "izin usaha mikro kecil", "persetujuan bangunan gedung",
                "OSS RBA", "perizinan"), "Penanaman modal"),
    _Opd("disdikbud", "Dinas Pendidikan dan Kebudayaan", ("Kepala Dinas", "Kepala Bidang Pembinaan SD",
                                                          "Pengawas Sekolah", "Operator Dapodik"),
         _terms("Dinas Pendidikan dan Kebudayaan Daerah", "Dinas Pendidikan", "layanan pendidikan dasar",
                "layanan sekolah", "Kartu Indonesia Pintar", "legalisasi ijazah", "mutasi siswa",
                "Dapodik", "pendidikan"), "Pendidikan"),
    _Opd("dinsos", "Dinas Sosial", ("Kepala Dinas", "Kepala Bidang Perlindungan dan Jaminan Sosial",
                                    "Pendamping PKH", "Pekerja Sosial"),
         _terms("Dinas Sosial dan Pemberdayaan Masyarakat Desa", "Dinas Sosial", "layanan kesejahteraan sosial",
                "layanan sosial", "bantuan sosial pangan", "kartu penyandang disabilitas", "rekomendasi PBI JK",
                "SIKS-NG", "kesejahteraan sosial"), "Sosial"),
    _kecamatan("Bulagi"),
    _kecamatan("Liang"),
    _kecamatan("Buko Selatan"),
    _kecamatan("Totikum"),
)
_OPD_BY_KEY = {**{o.slug: o for o in OPDS}, **{o.name: o for o in OPDS}}


def _opd(key: str | None, seed: int) -> _Opd:
    if key is None:
        return OPDS[seed % len(OPDS)]
    try:
        return _OPD_BY_KEY[key]
    except KeyError:
        raise ValueError(f"unknown OPD {key!r}; expected one of {', '.join(o.slug for o in OPDS)}") from None


# ---------------------------------------------------------------- walking answers by definition

def _exercises() -> dict[str, Exercise]:
    return {ex.id: ex for ex in all_exercises()}


def _is_free_text(f: Field) -> bool:
    """Text the participant types; a choice picking from typed rows counts (it must stay equal)."""
    if isinstance(f, (ShortText, LongText)):
        return True
    return isinstance(f, Choice) and f.dynamic


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return value if _ISO_DATE.fullmatch(value) else fn(value)
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    return value


def _map_text(entry: Any, ex: Exercise | None, fn: Callable[[str, Field | None], str]) -> Any:
    """Apply ``fn`` to every free-text value of an exercise entry (table cells included).

    For an exercise this lablib does not define, every string except dates is mapped.
    """
    if not isinstance(entry, dict):
        return entry
    if ex is None:
        return _map_strings(entry, lambda s: fn(s, None))
    out = dict(entry)
    for f in ex.fields:
        v = out.get(f.id)
        if isinstance(f, Table) and isinstance(v, list):
            cols = {c.id: c for c in f.columns}
            out[f.id] = [{k: (fn(x, cols[k]) if k in cols and _is_free_text(cols[k]) and isinstance(x, str) else x)
                          for k, x in row.items()} if isinstance(row, dict) else row for row in v]
        elif _is_free_text(f) and isinstance(v, str):
            out[f.id] = fn(v, f)
    return out


def _map_enums(entry: Any, ex: Exercise | None, table: dict[str, str]) -> Any:
    """Swap fixed-choice values (e.g. the urusan) when the replacement is a valid option."""
    if not isinstance(entry, dict) or ex is None or not table:
        return entry
    out = dict(entry)

    def swap(f: Field, v: Any) -> Any:
        if isinstance(f, Choice) and not f.dynamic and isinstance(v, str) and table.get(v) in f.options:
            return table[v]
        return v

    for f in ex.fields:
        v = out.get(f.id)
        if isinstance(f, Table) and isinstance(v, list):
            out[f.id] = [{k: swap(next((c for c in f.columns if c.id == k), f), x) for k, x in row.items()}
                         if isinstance(row, dict) else row for row in v]
        elif f.id in out:
            out[f.id] = swap(f, v)
    return out


# ---------------------------------------------------------------- text mutations

_PAD = "Data fiktif untuk latihan."


def _substituter(opd: _Opd) -> Callable[[str, Field | None], str]:
    """Retell the worked example for ``opd``: same sentences, this OPD's services and systems."""
    if not opd.terms:
        return lambda text, f: text
    canon = {t.lower(): (t, r) for t, r in opd.terms}
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t, _ in
                                                sorted(opd.terms, key=lambda p: -len(p[0]))) + r")(?!\w)",
                         re.IGNORECASE)

    def one(m: re.Match) -> str:
        found = m.group(0)
        original, replacement = canon[found.lower()]
        if found[0].isupper() and original[0].islower():
            return replacement[0].upper() + replacement[1:]
        return replacement

    def sub(text: str, f: Field | None) -> str:
        new = pattern.sub(one, text)
        missing_words = word_count(text) - word_count(new)
        if missing_words > 0:  # never shorter than the model: minimum lengths keep holding
            new = new.rstrip() + (" " + _PAD) * (1 + missing_words // word_count(_PAD))
        max_words = getattr(f, "max_words", None)
        if max_words is not None and word_count(new) > max_words:
            return text
        return new

    return sub


_OFF_TOPIC = ["Resep", "rendang", "daging", "sapi", "membutuhkan", "santan", "kental", "cabai", "merah", "serai", "lengkuas", "dan", "daun", "jeruk", "yang", "dimasak", "perlahan", "selama", "empat", "jam.", "Tim", "sepak", "bola", "kampung", "kami", "menang", "dua", "gol", "pada", "pertandingan", "persahabatan", "hari", "Minggu", "sore", "di", "lapangan", "desa.", "Cuaca", "di", "pantai", "cerah", "sekali", "ombak", "tenang", "dan", "banyak", "keluarga", "berpiknik", "sambil", "memanggang", "ikan.", "Harga", "cabai", "di", "pasar", "naik", "menjelang", "hari", "raya", "sehingga", "para", "ibu", "membeli", "lebih", "sedikit.", "Film", "animasi", "terbaru", "bercerita", "tentang", "seekor", "kucing", "yang", "ingin", "menjadi", "pilot", "pesawat.", "Kebun", "sayur", "di", "belakang", "rumah", "ditanami", "tomat", "kangkung", "dan", "terong", "ungu.", "Lagu", "dangdut", "itu", "diputar", "berulang", "kali", "di", "acara", "pernikahan", "tetangga.", "Burung", "kakatua", "peliharaan", "paman", "pandai", "menirukan", "suara", "ayam", "berkokok", "setiap", "pagi.", "Kue", "lapis", "legit", "harus", "dipanggang", "selapis", "demi", "selapis", "dengan", "sabar."]


def _off_topic(text: str, f: Field | None) -> str:
    """Unrelated text with the same number of words; the same input always gives the same output."""
    n = word_count(text)
    if n == 0:
        return text  # a blank answer stays blank
    rng = random.Random(hashlib.sha256(text.encode("utf-8")).hexdigest())
    start = rng.randrange(len(_OFF_TOPIC))
    words = [_OFF_TOPIC[(start + i) % len(_OFF_TOPIC)] for i in range(n)]
    if n <= 3:  # short labels must stay distinct from one another
        words = [rng.choice(_OFF_TOPIC) for _ in range(n)]
    out = " ".join(words)
    return out[0].upper() + out[1:]


# ---------------------------------------------------------------- figure mutations

def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in parts))


def _vary_dv1(entry: dict, rng: random.Random) -> dict:
    """Vary people served per week (checked by nothing else)."""
    out = copy.deepcopy(entry)
    for row in out.get("log") or []:
        if isinstance(row, dict) and isinstance(row.get("dilayani"), int) and not isinstance(row["dilayani"], bool):
            row["dilayani"] = max(0, round(row["dilayani"] * rng.uniform(0.8, 1.25)))
    return out


# exercise id -> variation a "complete" participant gets (must keep every check passing)
_VARY: dict[str, Callable[[dict, random.Random], dict]] = {"deliver.dv1": _vary_dv1}


def _shift_digits(text: str) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group()) + 1), text)


def _break_dv1(entry: dict) -> dict:
    out = copy.deepcopy(entry)
    for row in out.get("log") or []:
        if isinstance(row, dict) and isinstance(row.get("aduan_masuk"), int):
            row["aduan_selesai"] = row["aduan_masuk"] + 2  # resolved > received
            break
    return out


def _break_dv3(entry: dict) -> dict:
    out = copy.deepcopy(entry)
    if isinstance(out.get("skor"), (int, float)):
        out["skor"] = out["skor"] + 5
    return out


def _break_dp1(entry: dict) -> dict:
    out = copy.deepcopy(entry)
    if isinstance(out.get("signifikansi"), str):
        out["signifikansi"] = _shift_digits(out["signifikansi"])  # figures disagree with DV1
    return out


_BREAK: dict[str, Callable[[dict], dict]] = {
    "deliver.dv1": _break_dv1,
    "deliver.dv3": _break_dv3,
    "display.dp1": _break_dp1,
}
_COMPUTED = re.compile(r"total|peringkat|rank|skor|bobot|jumlah|nilai")


def _off_by(v: float) -> int | float:
    """A wrong figure: off by 10 % (at least 1), beyond any rounding tolerance."""
    return v + max(1, round(abs(v) * 0.1))


def _break_generic(entry: dict, ex: Exercise) -> dict:
    """Put wrong figures where the participant writes computed ones (totals, ranks, weights)."""
    out = copy.deepcopy(entry)
    done = False
    for f in ex.fields:
        v = out.get(f.id)
        if (isinstance(f, Number) and _COMPUTED.search(f.id) and isinstance(v, (int, float))
                and not isinstance(v, bool) and not done):
            out[f.id] = _off_by(v)
            done = True
        elif isinstance(f, Table) and isinstance(v, list):
            for col in f.columns:
                if isinstance(col, Number) and _COMPUTED.search(col.id):
                    row = next((r for r in v if isinstance(r, dict) and isinstance(r.get(col.id), (int, float))
                                and not isinstance(r.get(col.id), bool)), None)
                    if row is not None:
                        row[col.id] = _off_by(row[col.id])
                        done = True
    return out


def _half_fill(entry: dict, ex: Exercise) -> dict:
    """Keep the first half of the fields; empty the rest (a single field is emptied)."""
    out = dict(entry)
    for f in ex.fields[len(ex.fields) // 2:]:
        out[f.id] = f.empty_value()
    return out


# ---------------------------------------------------------------- public API

def synthetic_answers(stage: str, profile: str, seed: int = 0, opd: str | None = None) -> dict:
    """A synthetic participant's answers for ``stage`` (``{exercise_id: {...}}``), deterministic.

    ``opd`` is an OPD slug or name from ``OPDS`` (default: chosen by ``seed``). Carried copies
    of earlier stages' entries match that participant's own earlier stage answers.
    """
    slug = get_stage(stage).slug
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")
    if profile == "model":
        return model_answers(slug)
    if profile == "empty":
        return {}
    who = _opd(opd, seed)
    exercises = _exercises()
    substitute = _substituter(who)
    enums = {OPDS[0].urusan: who.urusan} if who.urusan != OPDS[0].urusan else {}
    answers: dict[str, Any] = {}
    for ex_id, entry in model_answers(slug).items():
        ex = exercises.get(ex_id)
        entry = _map_text(entry, ex, substitute)
        entry = _map_enums(entry, ex, enums)
        if ex_id in _VARY and isinstance(entry, dict):
            entry = _VARY[ex_id](entry, _rng(seed, who.slug, ex_id))
        if profile == "off_topic":
            entry = _map_text(entry, ex, _off_topic)
        own = ex_id.split(".", 1)[0] == slug
        if own and profile == "inconsistent" and isinstance(entry, dict) and ex is not None:
            entry = _BREAK[ex_id](entry) if ex_id in _BREAK else _break_generic(entry, ex)
        answers[ex_id] = entry
    if profile == "partial":
        own_ids = [i for i in answers if i.split(".", 1)[0] == slug and i in exercises]
        if own_ids:
            chosen = _rng(seed, who.slug, slug, "partial").sample(own_ids, max(1, (len(own_ids) + 1) // 2))
            for ex_id in chosen:
                if isinstance(answers[ex_id], dict):
                    answers[ex_id] = _half_fill(answers[ex_id], exercises[ex_id])
    return answers


@dataclass(frozen=True)
class SyntheticParticipant:
    """One made-up participant of a synthetic cohort (every name and number is fictional)."""

    id: str  # folder-safe: lower-case letters, digits and '-'
    nama: str
    opd: str
    jabatan: str
    email: str
    profile: str
    seed: int = 0
    opd_slug: str = ""

    def answers(self, stage: str) -> dict:
        """This participant's answers for ``stage``."""
        return synthetic_answers(stage, self.profile, self.seed, self.opd_slug or None)


# given names: the first few with an apostrophe, the next few with a diacritic
_GIVEN_APOSTROPHE = ("Nur'aini", "Ma'ruf", "Fa'iq", "Sa'diah", "Mu'min")
_GIVEN_DIACRITIC = ("Désy", "Rénaldi", "Andréas", "Ni Luh Putu Arié", "Chrisanté")
_GIVEN = ("Rahmat", "Nurhayati", "Andi", "Fitriani", "Sitti", "Yohanis", "Hasna", "Ruslan", "Zainab",
          "Ahmad", "Sri", "La Ode", "Wa Ode", "Ketut", "Moh. Rizal", "Abd. Kadir", "Fransiska", "Salmah",
          "Irwan", "Marlina", "Yusran", "Herlina", "Jefri", "Asriani", "Gunawan", "Sartika")
_FAMILY = ("Lamadjido", "Tamalagi", "Paputungan", "Labuang", "Bachmid", "Djafar", "Mangge", "Tumbelaka",
           "Sompie", "Saleh", "Lamba", "Datu", "Taliba", "Alhabsyi", "Lasahido", "Pandeirot", "Kasim",
           "Mokoginta", "Tawil", "Laode")
_PROFILE_CYCLE = ("complete", "partial", "inconsistent", "off_topic", "empty", "complete", "partial", "complete")


def _ascii_slug(text: str, sep: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("'", "")).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", sep, plain).strip(sep)


def synthetic_cohort(n: int, seed: int = 0) -> list[SyntheticParticipant]:
    """``n`` made-up participants; the first has the ``model`` profile (Disdukcapil).

    The others cycle through complete, partial, inconsistent, off_topic, empty, … so six or
    more participants cover every profile. Same ``n`` and ``seed``, same cohort.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"a cohort needs at least one participant (n={n!r})")
    rng = _rng("cohort", seed)
    others = list(OPDS[1:])
    rng.shuffle(others)
    width = max(2, len(str(n)))
    used_names: set[str] = set()
    used_emails: set[str] = set()
    people = []
    for i in range(n):
        opd = OPDS[0] if i == 0 else others[(i - 1) % len(others)]
        pool = _GIVEN_APOSTROPHE if i % 5 == 0 else _GIVEN_DIACRITIC if i % 5 == 1 else _GIVEN
        for attempt in range(1000):
            nama = f"{rng.choice(pool)} {rng.choice(_FAMILY)}"
            if attempt > 100:
                nama = f"{nama} {attempt}"
            if nama not in used_names:
                break
        used_names.add(nama)
        local = _ascii_slug(nama, ".")
        email = f"{local}@{EMAIL_DOMAIN}"
        k = 2
        while email in used_emails:
            email, k = f"{local}{k}@{EMAIL_DOMAIN}", k + 1
        used_emails.add(email)
        profile = "model" if i == 0 else _PROFILE_CYCLE[(i - 1) % len(_PROFILE_CYCLE)]
        people.append(SyntheticParticipant(
            id=f"p{i + 1:0{width}d}-{opd.slug}", nama=nama, opd=opd.name, jabatan=rng.choice(opd.jabatan),
            email=email, profile=profile, seed=seed * 1000 + i, opd_slug=opd.slug))
    return people


__all__ = ["OPDS", "PROFILES", "SyntheticParticipant", "synthetic_answers", "synthetic_cohort"]
