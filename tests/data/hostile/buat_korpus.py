"""Writes the hostile answers files of this folder (run it again after changing a case).

    .venv/bin/python tests/data/hostile/buat_korpus.py

Each case is a complete answers file, as a participant could leave it by editing it by hand
or pasting from Word or a PDF. Its ``stage`` key (always the first key after
``schema_version``) names the stage, so a test copies it to ``jawaban-<stage>.json``.
Cases too big to keep in git (a 10 MB text, a file over the size limit) are made by the
tests themselves (``tests/strategies.py``: ``generated_hostile_files``).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAVED_AT = "2025-01-01T08:00:00.000+07:00"


def _doc(stage: str, answers: dict) -> dict:
    return {"schema_version": 1, "stage": stage, "saved_at": SAVED_AT, "answers": answers}


def _write(name: str, doc_or_text: dict | str, *, compact: bool = False) -> None:
    if isinstance(doc_or_text, str):
        text = doc_or_text
    elif compact:  # long tables on one line, so the file stays under the size limit
        text = json.dumps(doc_or_text, ensure_ascii=True, separators=(",", ":")) + "\n"
    else:
        text = json.dumps(doc_or_text, indent=1, ensure_ascii=True)
    (HERE / name).write_text(text, encoding="utf-8", newline="\n")


def _huge(digits: int, sign: str = "") -> str:
    return sign + "9" * digits


def _fill(template: str, **values: str) -> str:
    """Raw JSON text with ``<name>`` replaced (Python cannot write an int of 5,000 digits)."""
    for name, value in {"saved_at": SAVED_AT, **values}.items():
        template = template.replace(f"<{name}>", value)
    return template


def _with_numbers(stage_text: str, number_text: str) -> str:
    """A diagnose file whose number, scale, text, choice and table cells all hold ``number_text``."""
    return _fill(
        '{"schema_version": 1, "stage": "<stage>", "saved_at": "<saved_at>", "answers": {\n'
        ' "diagnose.dg1": {"masalah": [{"nama": <n>, "layanan": "KTP-el", "baseline": <n>, "satuan": "hari",'
        ' "sumber_data": "SIAK", "apkl": [<n>], "u": <n>, "s": 3, "g": 3, "total": <n>, "peringkat": <n>}],'
        ' "masalah_terpilih": <n>, "justifikasi": <n>},\n'
        ' "diagnose.dg4": {"bobot_dampak": <n>, "bobot_kelayakan": -<n>, "bobot_biaya": 20, "bobot_kebaruan": 20,'
        ' "bobot_tupoksi": 20, "ide": [{"nama": "Ide", "skor_dampak": <n>}], "ide_terpilih": <n>,'
        ' "kaitan_akar": <n>}\n'
        "}}\n", stage=stage_text, n=number_text)


def main() -> None:
    _write("angka-5000-digit.json", _with_numbers("diagnose", _huge(5000)))
    _write("angka-400-digit.json", _with_numbers("diagnose", _huge(400)))
    _write("angka-16-digit.json", _with_numbers("diagnose", "1234567890123456"))
    _write("angka-float-besar.json", _with_numbers("diagnose", "1.5e300"))
    _write("nan-inf.json", _fill(
        '{"schema_version": 1, "stage": "deliver", "saved_at": "<saved_at>", "answers": {\n'
        ' "deliver.dv1": {"log": [{"tanggal": NaN, "dilayani": NaN, "hari_layanan": Infinity,'
        ' "aduan_masuk": -Infinity, "aduan_selesai": 1e309, "catatan": NaN},'
        ' {"tanggal": "2025-02-01", "dilayani": -1e309, "hari_layanan": 1, "aduan_masuk": 0, "aduan_selesai": 0}],'
        ' "perubahan": [{"indikator": Infinity, "baseline": NaN, "capaian": Infinity, "perubahan": -Infinity,'
        ' "perubahan_persen": 1e400}], "rasio_pengaduan": NaN, "band_pengaduan": Infinity,'
        ' "interpretasi": -Infinity},\n'
        ' "deliver.dv3": {"klaim": [{"indikator": NaN, "level": Infinity, "bukti": -Infinity,'
        ' "keterangan": 1e309}], "skor": NaN}\n'
        "}}\n"))
    nested_depth = 50_000
    _write("bersarang-50000.json", _fill(
        '{"schema_version": 1, "stage": "diagnose", "saved_at": "<saved_at>", "answers": {"diagnose.dg1": '
        '{"justifikasi": <open>1<close>}}}\n', open="[" * nested_depth, close="]" * nested_depth))
    _write("bersarang-900.json", _fill(
        '{"schema_version": 1, "stage": "diagnose", "saved_at": "<saved_at>", "answers": {"diagnose.dg1": '
        '{"masalah": [{"nama": <open>"x"<close>}], "justifikasi": <objects>{}<ends>}}}\n',
        open="[" * 900, close="]" * 900, objects='{"a":' * 900, ends="}" * 900))
    _write("surrogat.json", _doc("diagnose", {
        "diagnose.dg1": {"masalah": [{"nama": "Antrean \ud800 panjang", "layanan": "\udfff", "baseline": "\ud83d",
                                      "satuan": "hari", "sumber_data": "\udc00\ud800", "apkl": ["\ud800"]}],
                         "masalah_terpilih": "\ud800", "justifikasi": "Alasan \udfff" * 30},
        "diagnose.dg2": {"penyebab": [{"kategori": "\ud800", "penyebab": "\ud800", "bukti": "\ud800"}],
                         "mengapa": [{"jawaban": "\udbff\udbff"}], "akar_masalah": "\ud800"},
        "diagnose.\ud800": {"\ud800": "\ud800"},
    }))
    word = "\x0b\x0c\x01\x00\x1b\x7f\u2028\u2029\u200b\ufeff\r"
    _write("kendali-word.json", _doc("design", {
        "design.ds1": {"nama": f"SIAP{word}KERJA", "bentuk": f"Inovasi pelayanan publik{word}",
                       "jenis": "\x0b", "rb_dasar_hukum": f"Perda{word}No. 1\x0bTahun 2020\x0cHalaman 2",
                       "tujuan": "\x00" * 50, "waktu_uji_coba": "2025-03-01\x0b", "waktu_penerapan": "\x0c2025-04-01",
                       "anggaran": "1.250.000\x0b"},
        "design.ds2": {"indikator": [{"nama": f"Waktu{word}layanan", "jenis": "\x01", "baseline": "5\x00",
                                      "target": "\x0c2", "tenggat": "\x00"}]},
        "design.ds4": {"input": word * 100, "kegiatan": "\r\n" * 100, "output": "a\x00b", "outcome": "\x1b[31m merah",
                       "dampak": "\u202eterbalik", "indikator_outcome": word, "asumsi": "\t\t\t"},
    }))
    _write("tabel-20000-baris.json", _doc("diagnose", {
        "diagnose.dg1": {"masalah": [{"nama": f"M{i}", "u": 1 + i % 5} for i in range(20_000)],
                         "masalah_terpilih": "M1"},
        "diagnose.dg2": {"mengapa": [{"jawaban": "x"}] * 20_000},
        "diagnose.dg3": {"pemangku": [{"nama": f"P{i}", "pengaruh": 5} for i in range(20_000)]},
    }), compact=True)
    _write("tabel-20000-baris-log.json", _doc("deliver", {
        "deliver.dv1": {"log": [{"tanggal": "2025-02-01", "dilayani": 3} for _ in range(20_000)]},
        "deliver.dv2": {"risiko": [{"risiko": "r"}] * 20_000},
    }), compact=True)
    _write("teks-100000-karakter.json", _doc("display", {
        "display.dp1": {"ringkasan": "kata " * 20_000, "latar_belakang": "x" * 100_000},
        "display.dp2": {"pitch_masalah": "a" * 20_001, "kanal": [{"kanal": "k" * 100_000, "sasaran": "s"}]},
    }))
    _write("tipe-salah.json", _doc("diagnose", {
        "diagnose.dg1": {"masalah": {"nama": "bukan daftar"}, "masalah_terpilih": ["a", "b"],
                         "justifikasi": {"teks": 1}},
        "diagnose.dg2": {"penyebab": [["baris", "sebagai", "daftar"], 7, None, "teks", {"kategori": 5}],
                         "mengapa": "satu teks", "akar_masalah": True},
        "diagnose.dg3": {"pemangku": [{"nama": None, "unsur": {}, "pengguna": [], "pengaruh": "tinggi",
                                       "kepentingan": 3.5, "kuadran": False}]},
        "diagnose.dg4": {"bobot_dampak": True, "bobot_kelayakan": "dua puluh", "bobot_biaya": [],
                         "bobot_kebaruan": {}, "bobot_tupoksi": "20,5",
                         "ide": [{"nama": 1, "skor_dampak": 99, "skor_kelayakan": -1, "skor_biaya": True,
                                  "pp38": "Digital"}], "ide_terpilih": 0, "kaitan_akar": None},
    }))
    _write("jawaban-bukan-objek.json", _doc("design", {
        "design.ds1": ["daftar", "bukan", "objek"], "design.ds2": "teks", "design.ds3": 12, "design.ds4": None,
    }))
    _write("html-skrip.json", _doc("drum-up", {
        "drum-up.du1": {"nama_opd": "<script>alert('x')</script>", "dasar_hukum": "</dd></dl><img src=x onerror=alert(1)>",
                        "fungsi": [{"uraian": "<b>tebal</b> & \"kutip\""}],
                        "layanan": [{"nama": "<iframe>", "pengguna_per_tahun": "<1000>", "kanal": "<x>",
                                     "fungsi": "&amp;"}],
                        "champion": "'><svg onload=alert(1)>", "tim": [{"nama": "<u>", "jabatan": "&lt;", "peran": ">"}]},
        "drum-up.du2": {"pernyataan": "<style>*{display:none}</style>", "tanggal": "<2025-01-01>",
                        "lan_budaya_inovasi": "<5>", "refleksi": "{{ jinja }} {% raw %} ${x}"},
    }))
    # Windows Notepad saves UTF-8 with a byte-order mark.
    (HERE / "bom-utf8.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(_doc("design", {
        "design.ds4": {"input": "Anggaran APBD", "output": "Aplikasi"}}), indent=1).encode("utf-8") + b"\n")


if __name__ == "__main__":
    main()
