"""The trainer's command line: every ``lablib`` command lives here.

``init | add-participants | relocate | release | collect | grade | feedback | status | protect | export |
review export|import|assign|audit | report | showcase | documents | worksheet | lab | demo | build-assignments | hub``.

Every course command takes ``--course DIR`` (default: the course containing the current
folder), opens it once as a ``Course``, says what it did, and exits with status 1 and a
one-paragraph message in Bahasa Indonesia (no traceback) when it cannot do it: a
``LablibError``, or an ``OSError`` reported with its path and reason. Anything else is a bug
and keeps its traceback. Every command is safe to run twice.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shlex
import sys
from pathlib import Path

from lablib.core.errors import LablibError
from lablib.core.stages import STAGES

EXIT_OK, EXIT_ERROR = 0, 1
STAGE_HELP = "tahap: " + ", ".join(s.slug for s in STAGES)


class CliError(LablibError):
    """A bad command-line value: printed as a message, exit status 1."""


def _date(value: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal harus YYYY-MM-DD (bukan '{value}')") from None


def _due(value: str) -> tuple[str, _dt.date]:
    stage, sep, day = value.partition("=")
    slugs = [s.slug for s in STAGES]
    if not sep or stage not in slugs:
        raise argparse.ArgumentTypeError(f"--due harus TAHAP=YYYY-MM-DD dengan TAHAP salah satu dari "
                                         f"{', '.join(slugs)} (bukan '{value}')")
    return stage, _date(day)


def _course(args):
    """The ``Course`` of ``--course`` (or of the current folder), opened once for the command."""
    from lablib.course.course import Course

    return Course.open(args.course)


def _say(text: object) -> None:
    print(str(text), flush=True)


# ------------------------------------------------------------------------------------ commands


def cmd_init(args) -> int:
    from lablib.core.calendar import DEFAULT_CALENDAR, Calendar
    from lablib.course.folder import create_course
    from lablib.course.roster import read_roster

    participants = read_roster(args.roster)
    due = dict(DEFAULT_CALENDAR.due)
    due.update(dict(args.due or []))
    try:
        calendar = Calendar(
            workshop_start=args.workshop_start or DEFAULT_CALENDAR.workshop_start,
            workshop_end=args.workshop_end or DEFAULT_CALENDAR.workshop_end,
            deliver_start=args.deliver_start or DEFAULT_CALENDAR.deliver_start,
            deliver_end=args.deliver_end or DEFAULT_CALENDAR.deliver_end,
            due=due)
    except ValueError as exc:
        raise CliError(f"kalender tidak sah: {exc}") from None
    info = create_course(args.course_dir, participants, course_id=args.course_id, db_url=args.db_url,
                         calendar=calendar, timezone=args.timezone, homes=args.homes, exchange=args.exchange)
    db = "PostgreSQL" if args.db_url and not args.db_url.startswith("sqlite") else "SQLite (gradebook.db)"
    _say(f"Kursus '{info.course_id}' dibuat di {info.root} untuk {len(participants)} peserta.")
    for note in participants.notes:  # e.g. a hidden sheet of the workbook that was not read
        _say(f"  Catatan: {note}")
    _say(f"  Gradebook: {db}; folder peserta: {info.homes}")
    _say("  Privat: folder kursus hanya dapat dibaca fasilitator (0700); gradebook dan daftar peserta 0600.")
    if not args.exchange:
        _say(f"  Exchange di dalam folder kursus ({info.root / 'exchange'}): hanya untuk satu komputer. Di server "
             f"bersama, buat kursus dengan --exchange /srv/nbgrader/exchange agar peserta dapat mengumpulkan.")
    _say(f"  Lokakarya {calendar.workshop_start} s.d. {calendar.workshop_end}; uji coba (Deliver) "
         f"{calendar.deliver_start} s.d. {calendar.deliver_end}; zona waktu {info.timezone}")
    _say("  Batas pengumpulan: " + ", ".join(f"{s.slug} {calendar.due[s.slug]}" for s in STAGES
                                             if s.slug in calendar.due))
    _say(f"Langkah berikutnya: lablib release drum-up --course {shlex.quote(str(info.root))}")
    return EXIT_OK


def cmd_add_participants(args) -> int:
    from lablib.course.enrol import add_participants

    _say(add_participants(_course(args), args.roster, update=args.update).summary())
    return EXIT_OK


def cmd_release(args) -> int:
    from lablib.pipeline import release

    _say(release(_course(args), args.stage, force=args.force))
    return EXIT_OK


def cmd_collect(args) -> int:
    from lablib.pipeline import collect

    _say(collect(_course(args), args.stage))
    return EXIT_OK


def cmd_grade(args) -> int:
    from lablib.pipeline import ProgressBar, grade

    if args.workers is not None and args.workers < 1:
        raise CliError(f"--workers harus 1 atau lebih (bukan {args.workers})")
    if args.verify is not None and args.verify < 1:
        raise CliError(f"--verify harus 1 atau lebih (bukan {args.verify})")
    result = grade(_course(args), args.stage, workers=args.workers, force=args.force, kernels=args.kernels,
                   verify=args.verify or 0, progress=ProgressBar(f"Menilai {args.stage}"))
    _say(result)
    return EXIT_ERROR if result.failed else EXIT_OK


def cmd_feedback(args) -> int:
    from lablib.pipeline import feedback, feedback_all

    if args.all == (args.stage is not None):
        raise CliError("sebutkan satu TAHAP atau --all (semua tahap yang sudah dinilai), bukan keduanya")
    if args.all:
        results = feedback_all(_course(args))
        for result in results:
            _say(result)
        if not results:
            _say("Belum ada tahap yang dinilai; jalankan 'lablib grade TAHAP' dulu.")
        return EXIT_OK
    _say(feedback(_course(args), args.stage))
    return EXIT_OK


def cmd_protect(args) -> int:
    from lablib.course.privacy import protect_course

    course = _course(args)
    changes = protect_course(course)
    if not changes:
        _say(f"Kursus {course.root} sudah privat; tidak ada yang diubah.")
        return EXIT_OK
    _say(f"Izin kursus {course.root} diperketat (hanya fasilitator yang dapat membaca data peserta):")
    for line in changes:
        _say(f"  {line}")
    return EXIT_OK


def cmd_status(args) -> int:
    from lablib.course.privacy import privacy_problems
    from lablib.course.status import status

    course = _course(args)
    open_to_others = privacy_problems(course)
    if open_to_others:  # said first: the table below is what others could read
        _say(f"Peringatan: {len(open_to_others)} bagian kursus dapat dibaca pengguna lain: "
             f"{'; '.join(open_to_others[:3])}{' …' if len(open_to_others) > 3 else ''}. "
             f"Jalankan 'lablib protect' untuk memperketatnya.\n")
    st = status(course, live=args.live)
    _say(f"Status kursus '{st.course_id}' ({len(st.participants)} peserta)\n")
    _say(st.table())
    return EXIT_OK


def cmd_export(args) -> int:
    from lablib.reports.export import export

    _say(export(_course(args), args.out))
    return EXIT_OK


# The environment's JupyterLab is the participants': nbgrader's formgrader, course list and
# "Create Assignment" are switched off there (jupyter-config/etc/jupyter). The trainer's
# `lablib lab` puts this folder first on JUPYTER_CONFIG_PATH, which switches them on again.
TRAINER_CONFIG = Path(__file__).resolve().parent / "trainer-config"


def lab_command(course_dir: Path, port: int | None = None) -> list[str]:
    """The trainer's JupyterLab command for a course (run it with ``lab_environment()``)."""
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={course_dir}", "--no-browser"]
    if port:
        cmd.append(f"--ServerApp.port={port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
        cmd.append("--allow-root")
    return cmd


def lab_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with the trainer's Jupyter config first."""
    env = dict(os.environ if base is None else base)
    rest = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(TRAINER_CONFIG), *([rest] if rest else [])])
    return env


def cmd_beranda(args) -> int:
    from lablib.app.beranda import write_beranda

    folder = Path(args.folder).expanduser()
    if not folder.is_dir():
        raise LablibError(f"folder {folder} tidak ada; buat dulu atau berikan --folder yang benar.")
    _say(write_beranda(folder).describe())
    _say("Buka Beranda sebagai aplikasi: <alamat JupyterLab>/voila/render/Beranda.ipynb")
    return EXIT_OK


def cmd_lab(args) -> int:
    from lablib.course.folder import ensure_tools_on_path

    course_dir = _course(args).root
    cmd = lab_command(course_dir, args.port)
    ensure_tools_on_path()
    env = lab_environment()
    _say(f"JupyterLab fasilitator untuk kursus {course_dir} (menu Nbgrader → Formgrader untuk menilai):")
    _say(f"  JUPYTER_CONFIG_PATH={shlex.quote(env['JUPYTER_CONFIG_PATH'])} "
         + " ".join(shlex.quote(c) for c in cmd))
    if args.dry_run:
        return EXIT_OK
    import subprocess

    try:  # nbgrader_config.py is read from the working folder
        return subprocess.call(cmd, cwd=course_dir, env=env)
    except KeyboardInterrupt:
        return EXIT_OK


def cmd_relocate(args) -> int:
    from lablib.course.folder import find_course_dir, relocate

    root = find_course_dir(args.course)
    changes = relocate(root, db_url=args.db_url, exchange=args.exchange)
    _say(f"Kursus {root} sekarang bekerja pada foldernya sendiri:")
    for line in changes:
        _say(f"  {line}")
    return EXIT_OK


def _ids(text: str | None) -> list[str] | None:
    """A comma-separated option (``--participants ani,budi``) as a list; ``None`` when not given."""
    return None if text is None else [t.strip() for t in text.split(",") if t.strip()]


def cmd_review_export(args) -> int:
    from lablib.reports.review import export_review

    path = export_review(_course(args), args.stage, args.out, participants=_ids(args.participants),
                         criteria=_ids(args.criteria), reviewer=args.reviewer or "")
    _say(f"Lembar penilaian {args.stage} ditulis: {path}")
    _say("Isi level (0–4) dan komentar di kolom kuning, lalu jalankan: lablib review import "
         + shlex.quote(str(path)))
    return EXIT_OK


def cmd_review_import(args) -> int:
    from lablib.reports.review import import_review

    result = import_review(_course(args), args.file, force=args.force, dry_run=args.dry_run,
                           reviewer=args.reviewer)
    _say(result.summary())
    return EXIT_OK if result.ok else EXIT_ERROR


def cmd_review_assign(args) -> int:
    from lablib.reports.assignment import assign_reviewers

    plan, sheets = assign_reviewers(_course(args), args.stage, _ids(args.reviewers) or [], args.double, args.out)
    _say(f"Tahap {plan.stage}: {sum(len(v) for v in plan.primary.values())} peserta dibagi ke "
         f"{len(plan.reviewers)} narasumber.")
    for name, path in sheets.items():
        extra = f" + {len(plan.second[name])} penilaian kedua (buta)" if plan.second[name] else ""
        _say(f"  {name}: {len(plan.primary[name])} peserta{extra} -> {path}")
    return EXIT_OK


def cmd_review_audit(args) -> int:
    from lablib.core import formatting
    from lablib.reports.agreement import agreement, write_audit_workbook
    from lablib.reports.audit import read_audit

    course = _course(args)
    path = write_audit_workbook(course, args.out, args.stage)
    entries = read_audit(course, args.stage)
    stats, moderation = agreement(course, args.stage, entries)
    _say(f"Audit penilaian: {len(entries)} catatan ({len({e.reviewer for e in entries})} penilai) -> {path}")
    for s in stats:
        _say(f"  {s.stage} {s.criterion}: {s.pairs} pasangan, sama persis {formatting.percent(s.exact * 100)}, "
             f"selisih ≤ 1 level {formatting.percent(s.within_one * 100)}, kappa berbobot "
             f"{formatting.number(s.kappa, 2)}")
    if moderation:
        _say(f"{len(moderation)} butir perlu moderasi (selisih ≥ 2 level); lihat lembar 'Moderasi'.")
    return EXIT_OK


def cmd_report(args) -> int:
    from lablib.reports.report import write_report

    html_path, xlsx = write_report(_course(args), args.out)
    _say(f"Laporan kohort: {html_path}\nTabel Excel:    {xlsx}")
    return EXIT_OK


def cmd_showcase(args) -> int:
    from lablib.reports.showcase import publish_showcase

    if args.participants is not None and args.kurasi:
        raise CliError("pakai --participants atau --kurasi, tidak keduanya")
    if args.kurasi and not Path(args.kurasi).is_file():
        raise CliError(f"berkas kurasi {args.kurasi} tidak ada; tulis satu ID peserta per baris")
    ids = args.participants.replace(",", " ").split() if args.participants is not None else None
    shown = publish_showcase(_course(args), args.out, title=args.title or "Pameran Inovasi Daerah",
                             charts=not args.no_charts, participants=ids, curation=args.kurasi)
    _say(f"Pameran inovasi: {shown.path}\n{len(shown.selection.ids)} inovasi ({shown.selection.source}).")
    for note in shown.selection.notes:
        _say(f"  {note}")
    if shown.curation_file is not None:
        _say(f"Daftar tampil (urutan putar otomatis) dapat diubah di: {shown.curation_file}")
    _say("Buka file ini di peramban (tidak perlu internet).")
    return EXIT_OK


def cmd_documents(args) -> int:
    from lablib.core.names import check_participant_id
    from lablib.reports.documents import DOCS_DIR, write_documents

    course = _course(args)
    for pid in args.participant or ():
        check_participant_id(pid)  # it becomes a folder name under --out
    paths = write_documents(course, args.participant or None, args.out)
    people = {p.parent.name for p in paths}
    _say(f"Dokumen inovasi ditulis untuk {len(people)} peserta ({len(paths)} file) di "
         f"{Path(args.out) if args.out else course.root / DOCS_DIR}")
    return EXIT_OK


def cmd_worksheet(args) -> int:
    from lablib.reports.worksheet import write_worksheet, write_worksheets

    if args.all == bool(args.stage):
        raise CliError("sebutkan satu TAHAP atau --all, bukan keduanya" if args.all else
                       f"sebutkan TAHAP ({', '.join(s.slug for s in STAGES)}) atau --all")
    if args.all:
        if args.out and Path(args.out).suffix.lower() in (".html", ".htm"):
            raise CliError(f"--all menulis lima file: --out harus folder, bukan {args.out}")
        paths = write_worksheets(args.out)
    else:
        paths = [write_worksheet(args.stage, args.out)]
    for path in paths:
        _say(f"Lembar kerja: {path}")
    _say("Buka di peramban lalu cetak (Ctrl+P) pada kertas A4.")
    return EXIT_OK


def cmd_demo(args) -> int:
    from lablib.demo import run_demo

    if args.participants < 1:
        raise CliError(f"--participants harus 1 atau lebih (bukan {args.participants})")
    run_demo(args.out, participants=args.participants, seed=args.seed, workers=args.workers, say=_say)
    return EXIT_OK


def cmd_build_assignments(args) -> int:
    from lablib.notebook.assignments import write_source

    out = Path(args.out)
    for s in STAGES:
        path = write_source(s.slug, out / s.slug)
        _say(f"{path}")
    return EXIT_OK


def _hub_settings(args, course):
    """The course's hub settings (saved by ``hub setup``) with this command's options on top."""
    from lablib.hub.settings import make_settings

    return make_settings(course, trainer=getattr(args, "trainer", None), port=getattr(args, "port", None),
                         ip=getattr(args, "ip", None), site_root=getattr(args, "site_root", None),
                         hub_port=getattr(args, "hub_port", None),
                         proxy_api_port=getattr(args, "proxy_api_port", None),
                         idle_timeout=getattr(args, "idle_timeout", None))


def cmd_hub_setup(args) -> int:
    from lablib.hub.setup import setup_hub

    course = _course(args)
    result = setup_hub(course, _hub_settings(args, course))
    _say(result.summary())
    _say(f"Langkah berikutnya: lablib hub --course {shlex.quote(str(course.root))}")
    return EXIT_OK


def cmd_hub(args) -> int:
    from lablib.hub.run import hub_command, require_root, run_hub
    from lablib.hub.setup import setup_hub

    course = _course(args)
    settings = _hub_settings(args, course)
    if args.dry_run:  # only the config: no accounts, no hub
        _say(setup_hub(course, settings, accounts=False).summary())
        _say("Perintah hub: " + " ".join(shlex.quote(c) for c in hub_command(settings)))
        return EXIT_OK
    require_root()
    _say(setup_hub(course, settings).summary())
    return run_hub(settings, say=_say)


def cmd_hub_add_participants(args) -> int:
    from lablib.hub.setup import add_hub_participants

    course = _course(args)
    enrolled, result = add_hub_participants(course, _hub_settings(args, course), args.roster, update=args.update)
    _say(enrolled)
    _say(result.summary())
    return EXIT_OK


def cmd_hub_helm_values(args) -> int:
    from lablib.hub.helm import write_helm_values

    course = _course(args)
    path = write_helm_values(course, _hub_settings(args, course), args.out)
    _say(f"Nilai Helm Zero to JupyterHub ditulis: {path}")
    _say("Pasang: helm upgrade --install bimtek jupyterhub/jupyterhub --values " + shlex.quote(str(path)))
    return EXIT_OK


# ------------------------------------------------------------------------------------ parser


class _Unused:
    """Stands in for the parser of a command that is not being run: takes its arguments and
    keeps nothing (see ``build_parser``)."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: self


class _Commands:
    """The ``add_subparsers`` action, building only the parser of the command being run.

    Each subcommand parser costs argparse about half a millisecond; a command run as often as
    an unchanged ``lablib grade`` (once per stage) need not build the other thirty."""

    def __init__(self, action, only: str | None):
        self.action, self.only, self.built = action, only, False

    def add_parser(self, name: str, **kwargs):
        if self.only is not None and name != self.only:
            return _Unused()
        self.built = True
        return self.action.add_parser(name, **kwargs)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``command``, only that subcommand's parser is built
    (every one when ``command`` is no subcommand, so the error lists them all)."""
    from lablib import __version__

    parser = argparse.ArgumentParser(
        prog="lablib",
        description="Menjalankan bimtek Laboratorium Inovasi di nbgrader: dari daftar peserta sampai nilai.",
        epilog="Contoh: lablib init kursus --roster peserta.xlsx; cd kursus; lablib release drum-up")
    parser.add_argument("--version", action="version", version=f"lablib {__version__}")
    action = parser.add_subparsers(dest="command", metavar="PERINTAH")
    action.required = True
    sub = _Commands(action, command)

    def course_opt(p):
        p.add_argument("--course", metavar="FOLDER",
                       help="folder kursus (bawaan: kursus yang memuat folder kerja sekarang)")

    p = sub.add_parser("init", help="membuat kursus nbgrader dari daftar peserta (CSV atau Excel)")
    p.add_argument("course_dir", metavar="COURSE_DIR", help="folder kursus baru (belum ada atau kosong)")
    p.add_argument("--roster", required=True, metavar="FILE",
                   help="daftar peserta .csv atau .xlsx dengan kolom id, nama, opd, jabatan, email")
    p.add_argument("--db-url", metavar="URL",
                   help="gradebook di basis data lain, mis. postgresql://user:sandi@host/db (bawaan: SQLite)")
    p.add_argument("--course-id", default="bimtek-inovasi", metavar="ID", help="id kursus (bawaan: %(default)s)")
    p.add_argument("--workshop-start", type=_date, metavar="YYYY-MM-DD", help="hari pertama lokakarya")
    p.add_argument("--workshop-end", type=_date, metavar="YYYY-MM-DD", help="hari terakhir lokakarya")
    p.add_argument("--deliver-start", type=_date, metavar="YYYY-MM-DD", help="awal uji coba (Deliver)")
    p.add_argument("--deliver-end", type=_date, metavar="YYYY-MM-DD", help="akhir uji coba (Deliver)")
    p.add_argument("--due", type=_due, action="append", metavar="TAHAP=YYYY-MM-DD",
                   help="batas pengumpulan satu tahap (boleh diulang)")
    p.add_argument("--timezone", default="Asia/Makassar", metavar="TZ",
                   help="zona waktu batas pengumpulan (bawaan: %(default)s, WITA)")
    p.add_argument("--homes", default="/home/{id}", metavar="POLA",
                   help="folder rumah peserta, untuk status 'tersimpan' (bawaan: %(default)s)")
    p.add_argument("--exchange", metavar="FOLDER", help="folder exchange nbgrader (bawaan: COURSE_DIR/exchange)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("add-participants", help="menambah peserta susulan ke kursus (CSV atau Excel)")
    p.add_argument("--roster", required=True, metavar="FILE",
                   help="daftar peserta dengan kolom yang sama seperti 'init'; peserta yang sudah terdaftar "
                        "dilewati")
    p.add_argument("--update", action="store_true",
                   help="perbarui nama/OPD/jabatan/email peserta yang id-nya sudah terdaftar")
    course_opt(p)
    p.set_defaults(func=cmd_add_participants)

    for name, func, text in (("release", cmd_release, "merilis satu tahap ke peserta"),
                             ("collect", cmd_collect, "mengambil pengumpulan satu tahap"),
                             ("feedback", cmd_feedback, "membuat dan mengirim umpan balik satu tahap")):
        p = sub.add_parser(name, help=text)
        p.add_argument("stage", metavar="STAGE", help=STAGE_HELP, nargs="?" if name == "feedback" else None)
        course_opt(p)
        if name == "feedback":
            p.add_argument("--all", action="store_true",
                           help="umpan balik semua tahap yang sudah dinilai (semua halaman diperbarui)")
        if name == "release":
            p.add_argument("--force", action="store_true", help="rilis ulang walau sudah dirilis")
        p.set_defaults(func=func)

    p = sub.add_parser("grade", help="menilai otomatis semua pengumpulan satu tahap")
    p.add_argument("stage", metavar="STAGE", help=STAGE_HELP)
    course_opt(p)
    p.add_argument("--workers", type=int, metavar="N", help="jumlah penilai paralel (bawaan: jumlah inti CPU)")
    p.add_argument("--force", action="store_true", help="nilai ulang juga pengumpulan yang tidak berubah")
    p.add_argument("--kernels", action="store_true",
                   help="nilai lewat kernel nbgrader seperti 'nbgrader autograde' (rujukan; lebih lambat)")
    p.add_argument("--verify", type=int, metavar="N",
                   help="sesudahnya nilai ulang N pengumpulan acak dengan 'nbgrader autograde' di salinan kursus "
                        "dan bandingkan setiap baris gradebook; gagal bila ada yang berbeda")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("status", help="tabel peserta × tahap: belum mulai / tersimpan / dikumpulkan / dinilai")
    course_opt(p)
    p.add_argument("--live", action="store_true",
                   help="tambahkan skor otomatis jawaban saat ini untuk tahap yang belum dinilai (tanpa kernel)")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("protect", help="memperketat izin kursus lama: hanya fasilitator yang dapat membaca "
                                       "gradebook, daftar peserta, pengumpulan dan umpan balik")
    course_opt(p)
    p.set_defaults(func=cmd_protect)

    p = sub.add_parser("export", help="nilai per latihan dan per kriteria ke CSV dan Excel")
    course_opt(p)
    p.add_argument("--out", metavar="FOLDER", help="folder hasil (bawaan: COURSE/ekspor)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("lab", help="membuka JupyterLab di folder kursus (dengan formgrader nbgrader)")
    course_opt(p)
    p.add_argument("--port", type=int, help="port server")
    p.add_argument("--dry-run", action="store_true", help="hanya menampilkan perintah, tidak menjalankan")
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser("beranda", help="menulis Beranda.ipynb (halaman awal peserta, dibuka dengan Voilà) "
                                       "ke folder peserta")
    p.add_argument("--folder", default=".", metavar="DIR", help="folder akar Jupyter peserta (bawaan: folder ini)")
    p.set_defaults(func=cmd_beranda)

    p = sub.add_parser("demo", help="menjalankan satu bimtek contoh dari awal sampai nilai")
    p.add_argument("--out", default="demo-out", metavar="FOLDER", help="folder hasil (bawaan: %(default)s)")
    p.add_argument("--participants", type=int, default=20, metavar="N", help="jumlah peserta (bawaan: %(default)s)")
    p.add_argument("--seed", type=int, default=2026, help="benih data sintetis (bawaan: %(default)s)")
    p.add_argument("--workers", type=int, metavar="N", help="jumlah penilai paralel")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("build-assignments", help="menulis notebook sumber kelima tahap ke satu folder")
    p.add_argument("out", metavar="FOLDER")
    p.set_defaults(func=cmd_build_assignments)

    p = sub.add_parser("relocate", help="kursus yang disalin atau dipindah: bekerja pada foldernya sendiri")
    course_opt(p)
    p.add_argument("--db-url", metavar="URL",
                   help="gradebook PostgreSQL lain untuk salinan ini (bawaan: tetap yang sama, atau "
                        "gradebook.db di folder ini)")
    p.add_argument("--exchange", metavar="FOLDER", help="folder exchange lain untuk salinan ini")
    p.set_defaults(func=cmd_relocate)

    p = sub.add_parser("review", help="lembar penilaian rubrik (Excel) untuk narasumber: ekspor, impor, "
                                      "pembagian tim, audit")
    rsub = p.add_subparsers(dest="review_command", metavar="export|import|assign|audit")
    rsub.required = True
    e = rsub.add_parser("export", help="menulis lembar penilaian satu tahap (satu baris per peserta)")
    e.add_argument("stage", metavar="STAGE", help=STAGE_HELP)
    e.add_argument("--out", metavar="FILE", help="file .xlsx (bawaan: COURSE/penilaian/penilaian-STAGE.xlsx)")
    e.add_argument("--participants", metavar="ID,ID", help="hanya peserta ini (ID dipisah koma)")
    e.add_argument("--criteria", metavar="KODE[.kriteria],…",
                   help="hanya kriteria ini: kode latihan (DG1) atau satu kriteria (DG1.k1), dipisah koma")
    e.add_argument("--reviewer", metavar="NAMA", help="narasumber pemilik lembar (dicatat di audit saat impor)")
    course_opt(e)
    e.set_defaults(func=cmd_review_export)
    i = rsub.add_parser("import", help="memeriksa lembar penilaian lalu menulis sel yang diubah ke gradebook")
    i.add_argument("file", metavar="FILE", help="lembar penilaian .xlsx yang sudah diisi")
    i.add_argument("--force", action="store_true",
                   help="timpa sel konflik (diubah di lembar dan juga di gradebook sejak ekspor); sel lain "
                        "tidak pernah disentuh")
    i.add_argument("--dry-run", action="store_true", help="hanya memeriksa, tidak menulis")
    i.add_argument("--reviewer", metavar="NAMA", help="nama penilai untuk audit (bawaan: nama di lembar)")
    course_opt(i)
    i.set_defaults(func=cmd_review_import)
    a = rsub.add_parser("assign", help="membagi peserta satu tahap ke beberapa narasumber: satu lembar per "
                                       "narasumber")
    a.add_argument("stage", metavar="STAGE", help=STAGE_HELP)
    a.add_argument("--reviewers", metavar="NAMA,NAMA", required=True, help="nama narasumber, dipisah koma")
    a.add_argument("--double", type=float, default=0.0, metavar="BAGIAN",
                   help="bagian peserta (0–1, mis. 0.2) yang dinilai juga oleh narasumber kedua, buta, "
                        "untuk kesepakatan antarpenilai")
    a.add_argument("--out", metavar="FOLDER", help="folder lembar (bawaan: COURSE/penilaian/)")
    course_opt(a)
    a.set_defaults(func=cmd_review_assign)
    u = rsub.add_parser("audit", help="siapa menilai apa dan kapan, kesepakatan antarpenilai dan daftar "
                                      "moderasi (Excel atau CSV)")
    u.add_argument("--stage", metavar="STAGE", help="hanya tahap ini")
    u.add_argument("--out", metavar="FILE", help=".xlsx atau .csv (bawaan: COURSE/penilaian/audit-penilaian.xlsx)")
    course_opt(u)
    u.set_defaults(func=cmd_review_audit)

    p = sub.add_parser("report", help="laporan kohort: satu file HTML mandiri dan tabel Excel")
    p.add_argument("--out", metavar="FOLDER|FILE.html", help="bawaan: COURSE/laporan/laporan-kohort.html")
    course_opt(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("showcase", help="galeri inovasi HTML mandiri untuk layar pameran (Display)")
    p.add_argument("--out", metavar="FILE.html", help="bawaan: COURSE/pameran/pameran-inovasi.html")
    p.add_argument("--title", metavar="JUDUL", help="judul galeri")
    p.add_argument("--no-charts", action="store_true", help="tanpa grafik uji coba (file lebih kecil)")
    p.add_argument("--participants", metavar="ID,ID,…", help="hanya peserta ini, dalam urutan ini "
                                                             "(bawaan: yang mengumpulkan Display)")
    p.add_argument("--kurasi", metavar="FILE", help="berkas daftar tampil, satu ID per baris "
                                                    "(bawaan: COURSE/pameran/kurasi-pameran.txt bila sudah diubah)")
    course_opt(p)
    p.set_defaults(func=cmd_showcase)

    p = sub.add_parser("documents", help="dokumen inovasi tiap peserta: profil PP 38/IID dan proposal KIPP "
                                         "(HTML dan Word)")
    p.add_argument("--participant", action="append", metavar="ID", help="hanya peserta ini (boleh diulang)")
    p.add_argument("--out", metavar="FOLDER", help="bawaan: COURSE/dokumen")
    course_opt(p)
    p.set_defaults(func=cmd_documents)

    p = sub.add_parser("worksheet", help="lembar kerja cetak (HTML, A4) satu tahap: pertanyaan yang sama dengan "
                                         "formulirnya, untuk ruang tanpa jaringan")
    p.add_argument("stage", nargs="?", choices=[s.slug for s in STAGES], metavar="STAGE", help=STAGE_HELP)
    p.add_argument("--all", action="store_true", help="kelima tahap")
    p.add_argument("--out", metavar="FOLDER|FILE.html", help="bawaan: lembar-kerja-<tahap>.html di folder ini")
    p.set_defaults(func=cmd_worksheet)

    _hub_parser(sub)
    if command is not None and not sub.built:
        return build_parser()
    return parser


def _hub_parser(sub) -> None:
    """``lablib hub [setup | add-participants | helm-values]``: the bimtek room on one server."""
    def hub_opts(p, default):
        # on `hub` itself and on each subcommand (SUPPRESS: a subcommand never hides `hub`'s value)
        p.add_argument("--course", metavar="FOLDER", default=default,
                       help="folder kursus (bawaan: kursus yang memuat folder kerja sekarang)")
        p.add_argument("--trainer", metavar="LOGIN", default=default,
                       help="nama login fasilitator (admin hub; servernya membuka folder kursus)")
        p.add_argument("--port", type=int, metavar="N", default=default, help="port untuk peserta (bawaan: 8000)")
        p.add_argument("--ip", metavar="IP", default=default, help="alamat yang didengar (bawaan: 0.0.0.0, semua)")
        p.add_argument("--site-root", metavar="FOLDER", default=default,
                       help="folder konfigurasi Jupyter yang dapat dibaca peserta (bawaan: /srv/lablib/ID_KURSUS)")
        p.add_argument("--hub-port", type=int, metavar="N", default=default, help="port API hub, lokal (bawaan: 8081)")
        p.add_argument("--proxy-api-port", type=int, metavar="N", default=default,
                       help="port API proxy, lokal (bawaan: 8001)")
        p.add_argument("--idle-timeout", type=int, metavar="DETIK", default=default,
                       help="server yang menganggur selama ini dihentikan (bawaan: 3600)")

    p = sub.add_parser("hub", help="menjalankan JupyterHub bimtek di server ini: akun dari daftar peserta, "
                                   "kartu akun, konfigurasi")
    hub_opts(p, None)
    p.add_argument("--dry-run", action="store_true",
                   help="hanya menulis konfigurasi (tanpa akun, tanpa menjalankan hub)")
    p.set_defaults(func=cmd_hub)
    hsub = p.add_subparsers(dest="hub_command", metavar="setup|add-participants|helm-values")
    s = hsub.add_parser("setup", help="membuat akun, kartu akun dan konfigurasi hub (tanpa menjalankan)")
    hub_opts(s, argparse.SUPPRESS)
    s.set_defaults(func=cmd_hub_setup)
    s = hsub.add_parser("add-participants", help="menambah peserta susulan ke kursus dan ke hub (akun dan kartu)")
    s.add_argument("--roster", required=True, metavar="FILE", help="daftar peserta susulan (CSV atau Excel)")
    s.add_argument("--update", action="store_true", help="perbarui data peserta yang id-nya sudah terdaftar")
    hub_opts(s, argparse.SUPPRESS)
    s.set_defaults(func=cmd_hub_add_participants)
    s = hsub.add_parser("helm-values", help="nilai Helm Zero to JupyterHub (Kubernetes) dari pengaturan yang sama")
    s.add_argument("--out", metavar="FILE", help="bawaan: COURSE/z2jh-values.yaml")
    hub_opts(s, argparse.SUPPRESS)
    s.set_defaults(func=cmd_hub_helm_values)


def _os_error(exc: OSError) -> str:
    """An ``OSError`` as one line for the trainer: the path and the reason (no traceback)."""
    where = " → ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{where}: {reason}" if where else reason


def skip_iri_parser() -> None:
    """Keep ``rfc3987_syntax`` out of this process: half of nbgrader's import cost.

    nbgrader imports nbformat, nbformat imports jsonschema, and jsonschema's format checkers
    import ``rfc3987_syntax`` when it is installed, which builds an Earley parser of the IRI
    grammar at import: about 1 CPU-second of the 2 that importing nbgrader takes, in every
    command that talks to nbgrader. Nothing a trainer command runs checks the "iri" format
    (nbformat validates notebooks without format checks), so the command line marks the module
    as absent (``None`` in ``sys.modules``: Python's documented way, and jsonschema treats it
    as not installed). Kernels and JupyterLab are other processes and keep it.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    import warnings

    # nbgrader's gradebook code trips a harmless SQLAlchemy 2 warning on every autograde
    warnings.filterwarnings("ignore", message=".*not in session, add operation along.*")
    skip_iri_parser()
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(words[0] if words and not words[0].startswith("-") else None)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except LablibError as exc:
        print(f"lablib {args.command}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # a folder that cannot be written, a file that cannot be read, ...
        print(f"lablib {args.command}: {_os_error(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt as exc:  # Ctrl-C; a grading run says what it did and what is left
        # on a terminal, below the progress bar's unfinished line (and the ^C)
        newline = "\n" if getattr(sys.stderr, "isatty", lambda: False)() else ""
        print(f"{newline}lablib {args.command}: {str(exc) or 'dihentikan.'}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
