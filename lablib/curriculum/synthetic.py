"""Synthetic participants: deterministic answer sets for tests, demos and trainer previews.

The Disdukcapil participant answers with the worked example (``samples.model_answers``);
every other OPD has its own innovation case (``lablib.curriculum.cases``, data fiktif): a
Dinas Kesehatan runs midwives' visits to small islands, DPMPTSP a business-licence desk on
market days, a kecamatan PATEN from the village office, and so on. Profiles:

- ``model``: the model answers exactly (earn every automatic point);
- ``complete``: the OPD's own case (the worked example for Disdukcapil), weekly trial figures
  varied by the seed; earns every automatic point;
- ``partial``: about half the stage's exercises are left half-filled;
- ``empty``: nothing filled (``{}``);
- ``inconsistent``: complete, but criterion weights not summing to 100, a budget "without extra
  cost" that costs money, complaints resolved beyond those received, IID levels the trial log
  contradicts, figures that disagree with the trial log (totals, ranks and scores are computed
  by the curriculum, so they cannot be wrong);
- ``off_topic``: every free text replaced by unrelated text of the same length; numbers,
  dates and choices kept.

A later stage's answers carry copies of earlier stages' entries (``design.ds2`` in Deliver),
and these copies are mutated exactly as the earlier stage's own entries are (same text
substitutions, same varied figures), so a participant stays consistent across stages. Only
the stage's own exercises get the profile's damage (half-filled, inconsistent).

>>> a = synthetic_answers("deliver", "complete", seed=3, opd="perikanan")
>>> a["design.ds1"]["nama"]
'KAPAL TERCATAT: Ukur dan Daftar Kapal Perikanan di Kampung Nelayan'
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
from lablib.curriculum import all_exercises, facts
from lablib.curriculum.cases import case_answers
from lablib.curriculum.samples import model_answers

PROFILES: tuple[str, ...] = ("model", "complete", "partial", "empty", "inconsistent", "off_topic")
EMAIL_DOMAIN = "banggaikep.example"  # fictional: synthetic people must never look like real addresses


# ---------------------------------------------------------------- OPDs of the synthetic cohort

@dataclass(frozen=True)
class _Opd:
    slug: str  # folder-safe
    name: str  # as shown in a roster
    jabatan: tuple[str, ...]
    case: str = ""  # its innovation case in data/kasus/ ("" = the worked example, the model answers)
    words: tuple[tuple[str, str], ...] = ()  # the case's own placeholders ({kecamatan})


_KECAMATAN_JABATAN = ("Camat", "Sekretaris Camat", "Kepala Seksi Pelayanan Umum", "Analis Pelayanan")


def _kecamatan(name: str, case: str) -> _Opd:
    slug = "kec-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return _Opd(slug, f"Kecamatan {name}", _KECAMATAN_JABATAN, case, (("kecamatan", name),))


# One innovation per kind of OPD (lablib.curriculum.cases); the Disdukcapil participant of a
# cohort retells the worked example itself.
OPDS: tuple[_Opd, ...] = (
    _Opd("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil",
         ("Kepala Dinas", "Sekretaris Dinas", "Kepala Bidang Pelayanan Pencatatan Sipil", "Kepala Bidang PIAK",
          "Operator SIAK")),
    _Opd("dinkes", "Dinas Kesehatan", ("Kepala Dinas", "Kepala Seksi Kesehatan Keluarga dan Gizi", "Kepala Puskesmas",
                                        "Bidan Koordinator"), "dinkes"),
    _Opd("rsud", "RSUD Trikora Salakan", ("Direktur", "Kepala Instalasi Farmasi", "Kepala Bidang Pelayanan Medik",
                                          "Perawat Penanggung Jawab Poli"), "rsud"),
    _Opd("perikanan", "Dinas Perikanan", ("Kepala Dinas", "Kepala Bidang Perikanan Tangkap",
                                          "Penyuluh Perikanan", "Analis Perizinan"), "perikanan"),
    _Opd("dpmptsp", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
         ("Kepala Dinas", "Kepala Bidang Pelayanan Perizinan", "Analis Perizinan", "Operator OSS"), "dpmptsp"),
    _Opd("disdikbud", "Dinas Pendidikan dan Kebudayaan", ("Kepala Dinas", "Kepala Bidang Pembinaan SD",
                                                          "Pengawas Sekolah", "Operator Dapodik"), "disdikbud"),
    _Opd("dinsos", "Dinas Sosial", ("Kepala Dinas", "Kepala Bidang Perlindungan dan Jaminan Sosial",
                                    "Pendamping PKH", "Operator SIKS-NG"), "dinsos"),
    _Opd("bapperida", "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
         ("Kepala Badan", "Kepala Bidang Perencanaan dan Pendanaan", "Perencana Ahli Muda", "Pranata Komputer"),
         "bapperida"),
    # two kecamatan innovations (PATEN from the village office; complaints followed up weekly)
    _kecamatan("Bulagi", "kecamatan"),
    _kecamatan("Liang", "kecamatan"),
    _kecamatan("Buko Selatan", "kecamatan-pengaduan"),
    _kecamatan("Totikum", "kecamatan-pengaduan"),
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


# ---------------------------------------------------------------- text mutations

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


def _break_ds3(entry: dict) -> dict:
    out = copy.deepcopy(entry)
    out["sumber_dana"] = "Tanpa biaya tambahan"  # with a budget that costs money
    return out


# DV3 indicators whose level the trial log (DV1) decides
_LOGGED_IID = tuple(i.name for i in facts.IID_INDICATORS if i.key in ("pengaduan", "proses"))


def _break_dv3(entry: dict) -> dict:
    out = copy.deepcopy(entry)
    for row in out.get("klaim") or []:
        if isinstance(row, dict) and row.get("indikator") in _LOGGED_IID and isinstance(row.get("level"), int):
            row["level"] = 1 if row["level"] == 3 else 3  # a level the trial log does not support
            break
    return out


def _break_dp1(entry: dict) -> dict:
    out = copy.deepcopy(entry)
    if isinstance(out.get("signifikansi"), str):
        out["signifikansi"] = _shift_digits(out["signifikansi"])  # figures disagree with DV1
    return out


_BREAK: dict[str, Callable[[dict], dict]] = {
    "design.ds3": _break_ds3,
    "deliver.dv1": _break_dv1,
    "deliver.dv3": _break_dv3,
    "display.dp1": _break_dp1,
}
_COMPUTED = re.compile(r"total|peringkat|rank|skor|bobot|jumlah|nilai")


def _off_by(v: float) -> int | float:
    """A wrong figure: off by 10 % (at least 1), beyond any rounding tolerance."""
    return v + max(1, round(abs(v) * 0.1))


def _break_generic(entry: dict, ex: Exercise) -> dict:
    """Put a wrong figure where the participant writes one the method constrains (a weight)."""
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
    # the OPD's own innovation (its figures varied by the seed), or the worked example retold
    own_case = case_answers(who.case, seed, **dict(who.words)) if who.case else None
    answers: dict[str, Any] = {}
    for ex_id, model_entry in model_answers(slug).items():
        ex = exercises.get(ex_id)
        if own_case is not None:
            entry = copy.deepcopy(own_case.get(ex_id, {}))
        else:
            entry = model_entry
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
