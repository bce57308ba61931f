import pytest

from lablib.core.answers import save_answers
from lablib.core.checks import Answers, run_checks
from lablib.core.i18n import set_language
from lablib.curriculum import get_exercise
from lablib.curriculum.samples import model_answers
from lablib.notebook.autograde import grade_check

DG1 = get_exercise("diagnose.dg1")


def _dg1(mutate):
    answers = model_answers("diagnose")
    mutate(answers["diagnose.dg1"])
    return answers


def _result(answers, check_id):
    return next(c for c in run_checks(DG1, answers).checks if c.check_id == check_id)


def test_model_answer_earns_every_dg1_point():
    result = run_checks(DG1, model_answers("diagnose"))
    assert result.passed and result.earned == DG1.auto_points == 3


def test_empty_answer_earns_nothing_and_says_what_to_do():
    result = run_checks(DG1, {})
    assert result.earned == 0
    assert all(c.messages for c in result.checks)


BREAKERS = {
    "daftar": [lambda a: a["masalah"].__delitem__(slice(2, None)),
               lambda a: a["masalah"][0].update(baseline="banyak"),
               lambda a: a["masalah"][1].update(sumber_data="")],
    "usg": [lambda a: a["masalah"][0].update(u=7),
            lambda a: [r.update(u=3, s=3, g=3) for r in a["masalah"]]],  # every problem tied: no priority
    "pilihan": [lambda a: a.update(masalah_terpilih="Masalah lain"),
                lambda a: a.update(masalah_terpilih=a["masalah"][1]["nama"]),
                lambda a: a.update(masalah_terpilih=a["masalah"][3]["nama"], justifikasi="kata " * 40)],
}


@pytest.mark.parametrize("check_id,breaker", [(c, b) for c, bs in BREAKERS.items() for b in bs])
def test_each_dg1_check_fails_on_its_own_mistake(check_id, breaker):
    result = _result(_dg1(breaker), check_id)
    assert not result.passed and result.earned == 0 and result.messages


def test_lower_ranked_choice_with_a_30_word_justification_passes():
    def justify(a):
        a["masalah_terpilih"] = a["masalah"][1]["nama"]
        a["justifikasi"] = " ".join(["alasan"] * 30)
    assert _result(_dg1(justify), "pilihan").passed


def test_tied_totals_share_a_rank():
    def tie(a):
        a["masalah"][1].update(u=5, s=5, g=4)
    answers = _dg1(tie)
    assert [1, 1, 3, 4] == [r["peringkat"] for r in Answers(DG1, answers).rows("masalah")]
    assert _result(answers, "usg").passed


def test_usg_message_quotes_the_problem_and_the_value():
    message = str(_result(_dg1(lambda a: a["masalah"][0].update(u=7)), "usg").messages[0])
    assert "tertulis 7" in message and "Cakupan akta" in message


def test_messages_are_available_in_english():
    result = _result(_dg1(lambda a: a["masalah"][0].update(u=7)), "usg")
    set_language("en")
    try:
        assert "score must be" in str(result.messages[0])
    finally:
        set_language("id")


def test_wrong_types_never_raise():
    garbage = {"diagnose.dg1": {"masalah": "tidak ada", "masalah_terpilih": 5, "justifikasi": ["x"]}}
    assert run_checks(DG1, garbage).earned == 0
    rows = {"diagnose.dg1": {"masalah": [{"u": "x", "s": None, "g": [], "nama": {"a": 1}}] * 3}}
    assert run_checks(DG1, rows).earned == 0


def test_extra_fields_in_the_answers_file_earn_nothing():
    answers = {"diagnose.dg1": {"score": 100, "passed": True}, "points": 99}
    assert run_checks(DG1, answers).earned == 0


def test_autograder_cell_and_form_check_agree(tmp_path, capsys):
    answers = _dg1(lambda a: a["masalah"][0].update(u=9))
    save_answers(tmp_path, "diagnose", answers)
    in_process = run_checks(DG1, answers)
    for check in in_process.checks:
        assert grade_check("diagnose.dg1", check.check_id, tmp_path) == check.earned
    out = capsys.readouterr()
    assert "✗ Skor USG 1–5 dan membedakan prioritas masalah" in out.out and out.err == ""


def test_autograder_reads_but_never_moves_a_corrupt_file(tmp_path, capsys):
    (tmp_path / "jawaban-diagnose.json").write_text("{rusak", encoding="utf-8")
    assert grade_check("diagnose.dg1", "daftar", tmp_path) == 0
    assert (tmp_path / "jawaban-diagnose.json").read_text(encoding="utf-8") == "{rusak"
    assert capsys.readouterr().err == ""


def test_result_html_escapes_participant_text():
    def evil(a):
        a["masalah_terpilih"] = "<script>alert(1)</script>"
    html = run_checks(DG1, _dg1(evil))._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
