"""Diagnose stage: problems and their priority (DG1), root causes (DG2), stakeholders (DG3),
ideas and their selection (DG4)."""

from __future__ import annotations

import difflib

from lablib.core import formatting
from lablib.core.checks import Answers, Check
from lablib.core.exercises import Exercise
from lablib.core.fields import (
    Choice,
    Computed,
    LongText,
    MultiChoice,
    Number,
    Scale,
    ShortText,
    Table,
    word_count,
)
from lablib.core.i18n import T, Text
from lablib.core.rubrics import Criterion
from lablib.curriculum import facts
from lablib.curriculum._common import (
    competition_ranks,
    count_between,
    missing,
    missing_cells,
    short,
)

# ---------------------------------------------------------------- DG1 Daftar & prioritas masalah

DG1_JUSTIFICATION_WORDS = 30


def _dg1_list(a: Answers) -> list[Text]:
    problems = count_between(a, "masalah", 3, 7)
    problems += missing_cells(a, "masalah", "nama", "layanan", "baseline", "satuan", "sumber_data")
    return problems + a.type_errors[:3]


def usg_total(row: dict) -> int | None:
    """A problem's USG total U + S + G (``None`` unless all three are scored 1–5).

    >>> usg_total({"u": 5, "s": 4, "g": 3}), usg_total({"u": 5, "s": 4}), usg_total({"u": 9, "s": 1, "g": 1})
    (12, None, None)
    """
    scores = [row.get(k) for k in ("u", "s", "g")]
    if not all(isinstance(v, int) and not isinstance(v, bool) and facts.USG_MIN <= v <= facts.USG_MAX
               for v in scores):
        return None
    return sum(scores)


def usg_totals(rows: list[dict]) -> list[int | None]:
    """The computed ``total`` column of DG1: one USG total per problem."""
    return [usg_total(r) for r in rows]


def usg_ranks(rows: list[dict]) -> list[int | None]:
    """The computed ``peringkat`` column of DG1: competition ranks of the USG totals among the
    fully scored problems (highest = 1, ties share a rank); ``None`` for a problem not fully scored.

    >>> usg_ranks([{"u": 5, "s": 5, "g": 2}, {"u": 1, "s": 1, "g": 1}, {"u": 4, "s": 4, "g": 4}, {"u": 3}])
    [1, 3, 1, None]
    """
    totals = usg_totals(rows)
    known = [t for t in totals if t is not None]
    ranks = iter(competition_ranks(known))
    return [None if t is None else next(ranks) for t in totals]


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
    # USG exists to set priorities: scores that leave every problem on the same total decide nothing.
    totals = {row["total"] for row in rows}
    if len(rows) > 1 and len(totals) == 1:
        out.append(T("Semua masalah bertotal USG sama ({t}), jadi skor belum menentukan prioritas. Bandingkan "
                     "lagi urgensi, keseriusan, dan perkembangan tiap masalah, lalu bedakan skornya.",
                     "Every problem has the same USG total ({t}), so the scores set no priority. Compare the "
                     "urgency, seriousness and growth of each problem again and tell them apart.").format(
            t=next(iter(totals))))
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
    is_top = row.get("peringkat") == 1  # computed: None while a USG score is missing (the USG check says which)
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
        "yang terpenuhi, lalu beri skor Urgency, Seriousness, dan Growth (1–5) yang membedakan "
        "masalah satu dengan lainnya. Total USG (U+S+G) dan peringkatnya (total tertinggi = peringkat 1) "
        "dihitung otomatis. Terakhir pilih satu masalah prioritas yang memenuhi keempat kriteria APKL; "
        "bila bukan peringkat 1, tuliskan alasannya."),
    instructions_en=(
        "List 3–7 real problems in your OPD's services. For each, give the affected service, a "
        "baseline figure with its unit and data source, tick the APKL criteria it meets, and score "
        "Urgency, Seriousness and Growth (1–5) so that they tell the problems apart. The USG total "
        "(U+S+G) and the rank (highest total = rank 1) are computed for you. Finally choose one priority "
        "problem that meets all four APKL criteria; if it is not rank 1, say why."),
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
                Computed("total", "Total USG", label_en="USG total", compute=usg_totals,
                         help="U + S + G, dihitung otomatis."),
                Computed("peringkat", "Peringkat", label_en="Rank", compute=usg_ranks,
                         help="Total tertinggi = peringkat 1; total sama = peringkat sama."),
            ),
        ),
        Choice("masalah_terpilih", "Masalah prioritas terpilih", label_en="Chosen priority problem",
               options_from="masalah.nama"),
        LongText("justifikasi", "Alasan memilih (bila bukan peringkat 1)", required=False,
                 label_en="Justification (if not rank 1)", min_words=0),
    ),
    checks=(
        Check("daftar", "Daftar masalah lengkap", 1, _dg1_list, "Problem list complete"),
        Check("usg", "Skor USG 1–5 dan membedakan prioritas masalah", 1, _dg1_usg,
              "USG scores 1–5 and they set priorities"),
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


# ---------------------------------------------------------------- shared helpers


def _norm(text: object) -> str:
    """Lower-cased, single-spaced text for comparing two answers typed by hand."""
    return " ".join(str(text or "").lower().split())


def _repeats(cause: object, problem: object) -> bool:
    """Whether a cause only restates the problem (same words, or nearly).

    >>> _repeats("Cakupan akta  rendah", "cakupan akta rendah.")
    True
    >>> _repeats("Layanan hanya di Salakan", "Cakupan akta rendah")
    False
    """
    c, p = _norm(cause).strip(" .!?"), _norm(problem).strip(" .!?")
    if not c or not p:
        return False
    if c == p:
        return True
    # The quick upper bounds give the same answer as ratio() and skip most of its cost.
    m, limit = difflib.SequenceMatcher(None, c, p), facts.CAUSE_REPEATS_PROBLEM_RATIO
    return m.real_quick_ratio() >= limit and m.quick_ratio() >= limit and m.ratio() >= limit


# ---------------------------------------------------------------- DG2 Akar masalah


def _dg2_causes(a: Answers) -> list[Text]:
    out: list[Text] = []
    causes = a.rows("penyebab")
    whys = [r for r in a.rows("mengapa") if r.get("jawaban")]
    categories = sorted({r["kategori"] for r in causes if r.get("kategori") and r.get("penyebab")},
                        key=facts.FISHBONE_CATEGORIES.index)
    if len(categories) < facts.FISHBONE_MIN_CATEGORIES and len(whys) < facts.FIVE_WHY_MIN_DEPTH:
        out.append(T("Penyebab baru ada di {n} kategori tulang ikan ({cats}) dan rantai 5-mengapa baru {d} langkah. "
                     "Tuliskan penyebab di paling sedikit {k} kategori, atau rantai mengapa paling sedikit {w} langkah.",
                     "Causes cover {n} fishbone categories ({cats}) and the 5-why chain has {d} steps. Give causes "
                     "in at least {k} categories, or a why-chain of at least {w} steps.").format(
            n=len(categories), cats=", ".join(categories) or "-", d=len(whys),
            k=facts.FISHBONE_MIN_CATEGORIES, w=facts.FIVE_WHY_MIN_DEPTH))
    out += missing_cells(a, "penyebab", "kategori", "penyebab")
    problem = a.other("diagnose.dg1").get("masalah_terpilih")
    for text in [r.get("penyebab") for r in causes] + [r.get("jawaban") for r in whys]:
        if _repeats(text, problem):
            out.append(T("Penyebab '{c}' hanya mengulang masalahnya. Tuliskan mengapa masalah itu terjadi.",
                         "Cause '{c}' only restates the problem. Write why the problem happens.").format(c=short(text)))
    return out + a.type_errors[:3]


def _dg2_root(a: Answers) -> list[Text]:
    root = a.get("akar_masalah")
    if not root:
        return [T("Pilih satu akar masalah dari penyebab di diagram tulang ikan atau di rantai 5-mengapa.",
                  "Choose one root cause from the fishbone causes or the 5-why chain.")]
    listed = [r.get("penyebab") for r in a.rows("penyebab")] + [r.get("jawaban") for r in a.rows("mengapa")]
    if _norm(root) not in {_norm(x) for x in listed if x}:
        return [T("Akar masalah '{r}' tidak ada lagi di daftar penyebab maupun rantai 5-mengapa (mungkin "
                  "penyebabnya sudah diubah). Pilih ulang dari daftar.",
                  "Root cause '{r}' is no longer in the cause list or the 5-why chain (the cause may have "
                  "been edited). Choose again from the list.").format(r=short(root))]
    return []


DG2 = Exercise(
    id="diagnose.dg2",
    code="DG2",
    title="Akar masalah",
    title_en="Root cause",
    instructions=(
        "Cari penyebab masalah prioritas dari DG1. Isi diagram tulang ikan: setiap penyebab diberi "
        "kategori (Manusia, Metode, Sarana, Anggaran, Lingkungan, Regulasi) dan, bila ada, buktinya. "
        "Sebagai ganti atau tambahan, isi rantai 5-mengapa: setiap baris menjawab \"mengapa?\" dari "
        "baris sebelumnya. Jangan mengulang bunyi masalahnya. Terakhir pilih dari daftar satu penyebab "
        "yang menjadi akar masalah."),
    instructions_en=(
        "Find the causes of the priority problem from DG1. Fill the fishbone: give each cause a "
        "category (People, Method, Facilities, Budget, Environment, Regulation) and its evidence if "
        "any. Instead or as well, fill a 5-why chain: each row answers \"why?\" of the row before. "
        "Do not restate the problem. Finally choose from the list the one cause that is the root cause."),
    fields=(
        Table("penyebab", "Diagram tulang ikan: penyebab", label_en="Fishbone: causes", required=False,
              row_label="Penyebab",
              columns=(
                  Choice("kategori", "Kategori", label_en="Category", options=facts.FISHBONE_CATEGORIES),
                  ShortText("penyebab", "Penyebab", label_en="Cause"),
                  ShortText("bukti", "Bukti / data pendukung", label_en="Evidence", required=False),
              )),
        Table("mengapa", "Rantai 5-mengapa", label_en="5-why chain", required=False, max_rows=7,
              row_label="Mengapa",
              help="Baris 1 menjawab: mengapa masalah itu terjadi? Baris berikutnya: mengapa jawaban sebelumnya terjadi?",
              columns=(ShortText("jawaban", "Karena…", label_en="Because…"),)),
        Choice("akar_masalah", "Akar masalah terpilih", label_en="Chosen root cause",
               options_from="penyebab.penyebab|mengapa.jawaban",
               help="Pilih satu penyebab dari diagram tulang ikan atau rantai 5-mengapa."),
    ),
    checks=(
        Check("penyebab", "Penyebab cukup luas dan tidak mengulang masalah", 1, _dg2_causes,
              "Causes broad enough and not restating the problem"),
        Check("akar", "Satu akar masalah dipilih dari daftar", 1, _dg2_root,
              "One root cause chosen from the list"),
    ),
    criteria=(
        Criterion(
            "logika_sebab", "Logika sebab-akibat masuk akal dan didukung bukti", 4,
            ("Tidak ada analisis penyebab.",
             "Penyebab berupa gejala atau solusi terselubung; akar masalah tidak menjelaskan masalah.",
             "Sebagian penyebab masuk akal, tetapi akar masalah lemah atau tanpa bukti.",
             "Rantai sebab-akibat masuk akal dan akar masalah didukung sebagian bukti.",
             ("Rantai sebab-akibat runtut, akar masalah dapat ditangani OPD, dan setiap klaim didukung data "
              "atau bukti lapangan.")),
            title_en="Causal logic holds and is backed by evidence",
            shows=("penyebab", "mengapa", "akar_masalah"),
        ),
    ),
)


# ---------------------------------------------------------------- DG3 Pemangku kepentingan

YES, NO = "Ya", "Tidak"


def stakeholder_quadrant(influence: int | None, interest: int | None) -> str | None:
    """The grid quadrant of a stakeholder's 1–5 influence and interest (``None`` if unscored).

    >>> stakeholder_quadrant(5, 2)
    'Jaga kepuasan'
    """
    if not isinstance(influence, int) or not isinstance(interest, int):
        return None
    return facts.STAKEHOLDER_QUADRANTS[(influence >= facts.STAKEHOLDER_HIGH_FROM,
                                        interest >= facts.STAKEHOLDER_HIGH_FROM)]


def _dg3_spread(a: Answers) -> list[Text]:
    rows = a.rows("pemangku")
    out = count_between(a, "pemangku", facts.STAKEHOLDER_MIN, None)
    out += missing_cells(a, "pemangku", "nama", "unsur")
    elements = sorted({r["unsur"] for r in rows if r.get("unsur")}, key=facts.PENTAHELIX.index)
    if len(elements) < facts.STAKEHOLDER_MIN_ELEMENTS:
        out.append(T("Pemangku kepentingan baru dari {n} unsur pentahelix ({x}); perlu paling sedikit {k}. "
                     "Pertimbangkan juga {others}.",
                     "Stakeholders come from {n} pentahelix elements ({x}); at least {k} are needed. "
                     "Consider also {others}.").format(
            n=len(elements), x=", ".join(elements) or "-", k=facts.STAKEHOLDER_MIN_ELEMENTS,
            others=", ".join(e for e in facts.PENTAHELIX if e not in elements)))
    if not any(r.get("pengguna") == YES for r in rows):
        out.append(T("Belum ada pengguna layanan di daftar. Tambahkan warga pengguna layanan dan tandai "
                     "'Pengguna layanan?' = Ya.",
                     "No service users in the list. Add the citizens who use the service and mark "
                     "'Service user?' = Yes."))
    return out + a.type_errors[:3]


def stakeholder_quadrants(rows: list[dict]) -> list[str | None]:
    """The computed ``kuadran`` column of DG3: each stakeholder's grid quadrant."""
    return [stakeholder_quadrant(*(v if isinstance(v, int) and Scale.minimum <= v <= Scale.maximum else None
                                   for v in (r.get("pengaruh"), r.get("kepentingan")))) for r in rows]


def _dg3_quadrants(a: Answers) -> list[Text]:
    rows = a.rows("pemangku")
    if not rows:
        return [T("Belum ada pemangku kepentingan yang dipetakan.", "No stakeholder has been mapped yet.")]
    out: list[Text] = []
    for n, row in enumerate(rows, start=1):
        name = short(row.get("nama") or n)
        for key, label in (("pengaruh", "pengaruh"), ("kepentingan", "kepentingan")):
            v = row.get(key)
            if v is None or not Scale.minimum <= v <= Scale.maximum:
                out.append(T("'{name}': skor {k} harus 1–5 (tertulis {v}).",
                             "'{name}': the {k} score must be 1–5 (got {v}).").format(
                    name=name, k=label, v="kosong" if v is None else v))
    if out:
        return out
    # The grid is for deciding whom to involve: a map with no key player to manage closely has
    # missed (or under-scored) the decision makers the innovation depends on.
    key_players = facts.STAKEHOLDER_QUADRANTS[(True, True)]
    if not any(r.get("kuadran") == key_players for r in rows):
        out.append(T("Belum ada pemangku di kuadran '{q}' (pengaruh dan kepentingan {h} ke atas). Siapa pengambil "
                     "keputusan yang paling menentukan inovasi ini? Tambahkan atau nilai ulang skornya.",
                     "No stakeholder is in the '{q}' quadrant (influence and interest {h} or more). Who are the "
                     "decision makers this innovation depends on? Add them or score them again.").format(
            q=key_players, h=facts.STAKEHOLDER_HIGH_FROM))
    return out


DG3 = Exercise(
    id="diagnose.dg3",
    code="DG3",
    title="Pemangku kepentingan",
    title_en="Stakeholders",
    instructions=(
        "Petakan paling sedikit lima pemangku kepentingan inovasi Anda dari paling sedikit tiga unsur "
        "pentahelix (pemerintah, masyarakat, akademisi, dunia usaha, media), termasuk warga pengguna "
        "layanan. Beri skor pengaruh dan kepentingan (1–5); kuadrannya dihitung otomatis (skor 3 ke atas "
        "= tinggi). Pengaruh tinggi + kepentingan tinggi = Kelola secara dekat; pengaruh tinggi "
        "saja = Jaga kepuasan; kepentingan tinggi saja = Beri informasi; keduanya rendah = Pantau. "
        "Pastikan pengambil keputusan utama masuk kuadran Kelola secara dekat."),
    instructions_en=(
        "Map at least five stakeholders of your innovation from at least three pentahelix elements "
        "(government, community, academia, business, media), including the citizens who use the "
        "service. Score influence and interest (1–5); the quadrant is computed for you (3 or more counts "
        "as high). High influence + high interest = Manage closely; high influence only = Keep "
        "satisfied; high interest only = Keep informed; both low = Monitor. Make sure the key decision "
        "makers are in Manage closely."),
    fields=(
        Table("pemangku", "Pemangku kepentingan", label_en="Stakeholders", min_rows=facts.STAKEHOLDER_MIN,
              row_label="Pemangku",
              columns=(
                  ShortText("nama", "Pemangku kepentingan", label_en="Stakeholder"),
                  Choice("unsur", "Unsur pentahelix", label_en="Pentahelix element", options=facts.PENTAHELIX),
                  Choice("pengguna", "Pengguna layanan?", label_en="Service user?", options=(YES, NO),
                         required=False),
                  ShortText("peran", "Peran / kepentingan terhadap inovasi", label_en="Role / stake",
                            required=False),
                  Scale("pengaruh", "Pengaruh", label_en="Influence"),
                  Scale("kepentingan", "Kepentingan", label_en="Interest"),
                  Computed("kuadran", "Kuadran", label_en="Quadrant", compute=stakeholder_quadrants,
                           help="Dihitung otomatis dari pengaruh dan kepentingan."),
              )),
    ),
    checks=(
        Check("sebaran", "Pemangku cukup banyak, beragam, dan mencakup pengguna", 1, _dg3_spread,
              "Enough, varied stakeholders including service users"),
        Check("kuadran", "Skor 1–5 dan ada pemangku kunci (Kelola secara dekat)", 1, _dg3_quadrants,
              "Scores 1–5 and key players identified (Manage closely)"),
    ),
    criteria=(
        Criterion(
            "aktor_kunci", "Aktor kunci tidak ada yang terlewat", 2,
            ("Tidak ada pemetaan pemangku kepentingan.",
             "Hanya unit internal OPD; pengguna layanan dan pengambil keputusan terlewat.",
             "Pengguna dan sebagian pengambil keputusan ada, tetapi aktor penting di lapangan terlewat.",
             "Aktor kunci lengkap; skor pengaruh dan kepentingan sebagian besar masuk akal.",
             ("Aktor kunci lengkap dan spesifik (nama lembaga/kelompok), skor masuk akal, dan peran "
              "masing-masing jelas.")),
            title_en="Key actors not missing",
            shows=("pemangku",),
        ),
    ),
)


# ---------------------------------------------------------------- DG4 Ide & seleksi


def weighted_score(row: dict, weights: dict[str, float]) -> float | None:
    """An idea's weighted score on the 1–5 scale: Σ weight × score / Σ weight.

    ``weights`` maps criterion keys (``facts.DECISION_CRITERIA``) to weights; ``None`` when a
    score or weight is missing or the weights add up to nothing.

    >>> weighted_score({"skor_a": 5, "skor_b": 3}, {"a": 75, "b": 25})
    4.5
    """
    total = sum(weights.values()) if all(isinstance(w, (int, float)) for w in weights.values()) else 0
    scores = [row.get(f"skor_{key}") for key in weights]
    if not total > 0 or any(not isinstance(s, int) for s in scores):
        return None
    return round(sum(w * s for w, s in zip(weights.values(), scores)) / total, 4)


def _dg4_weights(a: Answers) -> dict[str, float | None]:
    return {key: a.get(f"bobot_{key}") for key in facts.DECISION_CRITERIA}


def idea_values(rows: list[dict]) -> list[float | None]:
    """The computed ``nilai`` column of DG4: each idea's weighted score under the exercise's
    criterion weights (``rows.answers``, see ``lablib.core.checks.TableRows``)."""
    weights = _dg4_weights(rows.answers)
    return [weighted_score(r, weights) for r in rows]


def best_ideas(a: Answers) -> str | None:
    """The computed ``ide_tertinggi`` of DG4: the name of the idea with the highest value (names
    joined by " / " on a tie); ``None`` until every idea can be valued."""
    ideas = [r for r in a.rows("ide") if r.get("nama")]
    if not ideas or any(r.get("nilai") is None for r in ideas):
        return None
    top = max(r["nilai"] for r in ideas)
    return " / ".join(r["nama"] for r in ideas if r["nilai"] >= top - 1e-9)


def _is_how_might_we(text: object) -> bool:
    """Written as a "Bagaimana kita…" question ("Bagaimana cara kita…" also counts)."""
    first, *rest = _norm(facts.IDEA_PREFIX).split()
    words = _norm(text).split()
    return bool(words) and words[0] == first and all(w in words[1:4] for w in rest)


def _dg4_weights_check(a: Answers) -> list[Text]:
    weights = _dg4_weights(a)
    out: list[Text] = []
    for key, w in weights.items():
        label = facts.DECISION_CRITERIA[key]
        if w is None:
            out.append(T("Bobot '{k}' belum diisi.", "The weight of '{k}' is empty.").format(k=label))
        elif not 0 <= w <= facts.DECISION_WEIGHT_TOTAL:
            out.append(T("Bobot '{k}' harus 0–{t} (tertulis {v}).", "The weight of '{k}' must be 0–{t} (got {v}).")
                       .format(k=label, t=facts.DECISION_WEIGHT_TOTAL, v=w))
    if out:
        return out
    total = sum(weights.values())
    if abs(total - facts.DECISION_WEIGHT_TOTAL) > 1e-6:
        out.append(T("Jumlah bobot harus {t} (sekarang {s}). Ubah bobot kriteria sampai jumlahnya {t}.",
                     "The weights must add up to {t} (now {s}). Change them until they add up to {t}.").format(
            t=facts.DECISION_WEIGHT_TOTAL, s=formatting.number(total)))
    return out


def _dg4_winner(a: Answers) -> list[Text]:
    ideas = a.rows("ide")
    out = count_between(a, "ide", facts.IDEA_MIN, None)
    out += missing_cells(a, "ide", "nama", "rumusan")
    for row in ideas:
        if row.get("rumusan") and not _is_how_might_we(row["rumusan"]):
            out.append(T("Ide '{x}': tuliskan rumusannya sebagai pertanyaan \"{p}…?\".",
                         "Idea '{x}': write it as a \"{p}…?\" (How might we…) question.").format(
                x=short(row.get("nama") or row["rumusan"]), p=facts.IDEA_PREFIX))
        for key, label in facts.DECISION_CRITERIA.items():
            v = row.get(f"skor_{key}")
            if v is None or not Scale.minimum <= v <= Scale.maximum:
                out.append(T("Ide '{x}': skor {k} harus 1–5 (tertulis {v}).",
                             "Idea '{x}': the {k} score must be 1–5 (got {v}).").format(
                    x=short(row.get("nama")), k=label, v="kosong" if v is None else v))
    out += missing(a, "ide_terpilih", "kaitan_akar")
    if out:
        return out + a.type_errors[:3]
    scored = [(r.get("nilai"), r) for r in ideas]
    if any(s is None for s, _ in scored):
        return [T("Bobot kriteria belum lengkap, jadi nilai ide belum dapat dihitung. Isi bobot semua kriteria.",
                  "The criterion weights are incomplete, so the ideas cannot be scored. Fill every weight.")]
    chosen = a.get("ide_terpilih")
    mine = [(s, r) for s, r in scored if _norm(r.get("nama")) == _norm(chosen)]
    if not mine:
        return [T("Ide terpilih '{c}' tidak ada di daftar ide. Pilih ulang dari daftar.",
                  "The chosen idea '{c}' is not in the list. Choose again from the list.").format(c=short(chosen))]
    best_score, best = max(scored, key=lambda sr: sr[0])
    if mine[0][0] < best_score - 1e-9:
        out.append(T("Menurut bobot dan skor, nilai tertinggi adalah '{w}' ({b}); ide terpilih '{c}' bernilai "
                     "{m}. Periksa skor dan bobot, atau pilih ide bernilai tertinggi.",
                     "By the weights and scores the highest is '{w}' ({b}); the chosen idea '{c}' scores "
                     "{m}. Check the scores and weights, or choose the highest idea.").format(
            w=short(best.get("nama")), b=formatting.number(best_score), c=short(chosen),
            m=formatting.number(mine[0][0])))
    return out


def _dg4_pp38(a: Answers) -> list[Text]:
    chosen = a.get("ide_terpilih")
    match = [r for r in a.rows("ide") if chosen and _norm(r.get("nama")) == _norm(chosen)]
    if not match:
        return [T("Pilih ide terpilih dari daftar ide, lalu centang kriteria PP 38/2017 yang dipenuhinya.",
                  "Choose the winning idea from the list, then tick the PP 38/2017 criteria it meets.")]
    lacking = [c for c in facts.PP38_KRITERIA if c not in (match[0].get("pp38") or [])]
    if lacking:
        return [T("Ide terpilih '{x}' belum memenuhi kriteria PP 38/2017: {c}. Perbaiki idenya sampai memenuhi "
                  "kelimanya, atau pilih ide lain.",
                  "The chosen idea '{x}' does not meet the PP 38/2017 criteria: {c}. Improve the idea until it "
                  "meets all five, or choose another.").format(x=short(chosen), c="; ".join(lacking))]
    return []


DG4 = Exercise(
    id="diagnose.dg4",
    code="DG4",
    title="Ide & seleksi",
    title_en="Ideas and selection",
    instructions=(
        "Tuliskan paling sedikit tiga ide untuk menjawab akar masalah dari DG2, masing-masing sebagai "
        "pertanyaan \"Bagaimana kita…?\" dengan nama singkat. Tentukan bobot lima kriteria (jumlahnya "
        "100), beri skor 1–5 setiap ide pada setiap kriteria (untuk biaya: makin murah makin tinggi), "
        "dan centang kriteria PP 38/2017 yang dipenuhi. Nilai ide = jumlah (bobot × skor) ÷ jumlah bobot (100) dan ide "
        "bernilai tertinggi dihitung otomatis. Pilih ide bernilai tertinggi dan jelaskan bagaimana ide "
        "itu menjawab akar masalah."),
    instructions_en=(
        "Write at least three ideas that answer the root cause from DG2, each as a \"How might we…?\" "
        "question with a short name. Set the weights of the five criteria (adding up to 100), score "
        "every idea 1–5 on each criterion (for cost: cheaper scores higher) and tick the PP 38/2017 "
        "criteria it meets. An idea's value = sum of (weight × score) ÷ the sum of the weights (100) and the highest idea are "
        "computed for you. Choose the highest idea and explain how it answers the root cause."),
    fields=(
        *(Number(f"bobot_{key}", f"Bobot kriteria: {label}", label_en=f"Weight: {label}", unit="%",
                 minimum=0, maximum=facts.DECISION_WEIGHT_TOTAL)
          for key, label in facts.DECISION_CRITERIA.items()),
        Table("ide", "Ide inovasi", label_en="Ideas", min_rows=facts.IDEA_MIN, row_label="Ide",
              columns=(
                  ShortText("nama", "Nama singkat ide", label_en="Short name"),
                  ShortText("rumusan", "Rumusan \"Bagaimana kita…?\"", label_en="\"How might we…?\" question"),
                  *(Scale(f"skor_{key}", f"Skor {label}", label_en=f"Score: {label}")
                    for key, label in facts.DECISION_CRITERIA.items()),
                  MultiChoice("pp38", "Kriteria PP 38/2017 terpenuhi", label_en="PP 38/2017 criteria met",
                              options=facts.PP38_KRITERIA, required=False),
                  Computed("nilai", "Nilai ide", label_en="Idea value", compute=idea_values,
                           help="Jumlah (bobot × skor) ÷ jumlah bobot, dihitung otomatis."),
              )),
        Computed("ide_tertinggi", "Ide bernilai tertinggi", label_en="Highest-valued idea", compute=best_ideas),
        Choice("ide_terpilih", "Ide terpilih", label_en="Chosen idea", options_from="ide.nama"),
        LongText("kaitan_akar", "Bagaimana ide terpilih menjawab akar masalah", label_en="How the idea answers the root cause"),
    ),
    checks=(
        Check("bobot", "Bobot kriteria berjumlah 100", 1, _dg4_weights_check, "Criterion weights add up to 100"),
        Check("pemenang", "Ide terpilih bernilai tertinggi", 1, _dg4_winner, "Chosen idea has the highest value"),
        Check("pp38", "Ide terpilih memenuhi lima kriteria PP 38/2017", 1, _dg4_pp38,
              "Chosen idea meets the five PP 38/2017 criteria"),
    ),
    criteria=(
        Criterion(
            "kebaruan_relevansi", "Kebaruan dan relevansi ide", 3,
            ("Tidak ada ide yang dapat dinilai.",
             "Ide sudah biasa dilakukan OPD atau tidak berkaitan dengan layanannya.",
             "Ide relevan dengan layanan, tetapi kebaruannya bagi daerah tidak jelas.",
             "Ide relevan dan mengandung pembaharuan nyata bagi daerah.",
             ("Ide relevan, jelas baru bagi daerah (atau adaptasi cerdas dari daerah lain), dan layak "
              "direplikasi.")),
            title_en="Novelty and relevance",
            shows=("ide", "ide_terpilih"),
        ),
        Criterion(
            "jawab_akar", "Ide menjawab akar masalah", 2,
            ("Tidak ada penjelasan kaitan ide dengan akar masalah.",
             "Ide menjawab gejala, bukan akar masalah dari DG2.",
             "Ide menyentuh akar masalah, tetapi penjelasannya lemah.",
             "Ide menjawab akar masalah dengan penjelasan yang masuk akal.",
             "Ide langsung menghilangkan akar masalah dan mekanisme perubahannya dijelaskan dengan jelas."),
            title_en="Idea answers the root cause",
            shows=("ide_terpilih", "kaitan_akar"),
        ),
    ),
)

EXERCISES: tuple[Exercise, ...] = (DG1, DG2, DG3, DG4)
