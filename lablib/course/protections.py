"""Grading protections: nbgrader preprocessors named in the course's ``nbgrader_config.py``.

The protections that keep grading honest live in the course's own ``nbgrader_config.py``
(written by ``lablib.course.folder.write_config``), so they hold whether the course is graded with
``lablib grade``, with ``nbgrader autograde`` or from formgrader:

* ``RestoreCourseCells`` (a sanitize step, before nbgrader's ``OverwriteCells``) rebuilds
  every submitted notebook from the released one. Participants never type code (every answer
  lives in the answers file), so a cell they edited, deleted or added is replaced by, put
  back as, or dropped for the released cell. Stock nbgrader restores edited locked cells but
  keeps cells a participant added (which could redefine ``lablib.grade_check``) and does not
  put back a deleted read-only cell such as ``import lablib``.
* ``KeepOnlyCourseFiles`` (the first autograde step, before the kernel starts) empties the
  grading copy of the submission down to an allow-list: the assignment's notebooks, the
  course's own files from ``source/<stage>/`` and the participant's answers file. A
  ``lablib.py``, a ``lablib/`` package or an ``ipykernel_launcher.py`` beside the notebook
  would otherwise be imported by the grading kernel (its working directory is on
  ``sys.path``) instead of the real code. Unknown keys in the answers file are removed from
  the grading copy too. The participant's original files stay untouched in ``submitted/``.
  Files are what they claim to be: a file of the *submission* that is a symbolic link, a hard
  link (another name shares its content, e.g. another participant's file), a FIFO, a device
  or a socket is taken out of the grading copy, whatever nbgrader's copy made of it (its
  ``shutil.copy`` follows a link, so the copy would hold the other file's content). The
  answers file is judged in ``submitted/``: if it is not a regular file the participant is
  graded as having no answers, and the warning says why.

nbgrader imports this module through the dotted names in the course config; importing it
imports nbgrader, so modules that must stay light (``lablib.course.folder``, ``lablib.course.live``) do not.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from nbgrader.preprocessors.base import NbGraderPreprocessor

from lablib.core.files import irregular_entries, kind_name
from lablib.core.stages import get_stage
from lablib.course.grading_copy import allowed_in, strip_unknown_keys

__all__ = ["KeepOnlyCourseFiles", "RestoreCourseCells", "allowed_files", "keep_only", "remove_irregular"]


def _coursedir(preprocessor):
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=preprocessor.config)


def _reference_notebook(coursedir, assignment: str, notebook: str) -> Path | None:
    for step in (coursedir.release_directory, coursedir.source_directory):
        path = Path(coursedir.format_path(step, ".", assignment)) / f"{notebook}.ipynb"
        if path.is_file():
            return path
    return None


class RestoreCourseCells(NbGraderPreprocessor):
    """Sanitize step: the graded notebook is the released notebook, cell for cell.

    Only the source of solution (answer) cells is taken from the submission; lablib's
    notebooks have none, because answers live in the answers file. Cells the participant
    added are dropped, deleted ones are put back, and edited ones are replaced.
    """

    def preprocess(self, nb, resources):
        import copy

        import nbformat

        info = resources["nbgrader"]
        coursedir = _coursedir(self)
        reference = _reference_notebook(coursedir, info["assignment"], info["notebook"])
        if reference is None:
            raise RuntimeError(f"lablib: {info['student']}/{info['assignment']} tidak dapat diperiksa: notebook "
                               f"{info['notebook']}.ipynb tidak ada di release/ maupun source/; jalankan "
                               f"'lablib release {info['assignment']}' dulu")
        released = nbformat.read(reference, as_version=4)
        submitted: dict[str, object] = {}
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id and grade_id not in submitted:
                submitted[grade_id] = cell
        cells, used, restored, replaced = [], set(), [], []
        for ref in released.cells:
            meta = ref.get("metadata", {}).get("nbgrader", {})
            grade_id = meta.get("grade_id")
            mine = submitted.get(grade_id) if grade_id else None
            cell = copy.deepcopy(ref)
            if mine is None:
                restored.append(grade_id or "?")
            else:
                used.add(grade_id)
                if meta.get("solution"):
                    cell.source = mine.get("source", "")
                elif mine.get("source", "") != ref.get("source", "") or mine.get("cell_type") != ref.cell_type:
                    replaced.append(grade_id)
            cells.append(cell)
        dropped = len(nb.cells) - len(used)
        who = f"{info['student']}/{info['assignment']}/{info['notebook']}"
        if dropped:
            self.log.warning("lablib: %s: %d sel yang tidak ada di notebook rilis dibuang", who, dropped)
        if restored:
            self.log.warning("lablib: %s: sel yang dihapus dikembalikan: %s", who, ", ".join(restored))
        if replaced:
            self.log.warning("lablib: %s: sel yang diubah diganti dengan aslinya: %s", who, ", ".join(replaced))
        nb.cells = cells
        return nb, resources


def allowed_files(coursedir, assignment: str) -> set[str]:
    """Relative paths a grading copy may hold: notebooks, the course's own files, the answers file
    (the rule lives in ``lablib.course.grading_copy``, shared with kernel-free grading)."""
    return allowed_in([coursedir.format_path(step, ".", assignment)
                       for step in (coursedir.source_directory, coursedir.release_directory)], assignment)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        for sub in path.rglob("*"):
            if not sub.is_symlink():
                sub.chmod(sub.stat().st_mode | 0o700)
        path.chmod(path.stat().st_mode | 0o700)
        shutil.rmtree(path)
    else:
        path.unlink()


def keep_only(folder: Path, allowed: set[str]) -> list[str]:
    """Remove everything under ``folder`` that is not in ``allowed``; return what was removed."""
    keep_dirs = {p for a in allowed for p in Path(a).parents if str(p) != "."}
    removed = []

    def walk(directory: Path) -> None:
        for path in sorted(directory.iterdir()):
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink() or (path.is_file() and rel not in allowed) \
                    or (path.is_dir() and Path(rel) not in keep_dirs) or not (path.is_file() or path.is_dir()):
                removed.append(rel + ("/" if path.is_dir() and not path.is_symlink() else ""))
                _remove(path)
            elif path.is_dir():
                walk(path)

    walk(folder)
    return removed


def _course_copied(coursedir, assignment: str, exclude: list[str]) -> set[str]:
    """Files nbgrader's autograde copies from ``source/`` over the grading copy (not the notebooks,
    not ``Autograde.exclude_overwriting``): in the grading copy they are the course's own."""
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and not p.is_symlink() and p.suffix != ".ipynb"} - set(exclude)


def remove_irregular(folder: Path, submitted: Path, course_files: set[str]) -> dict[str, str]:
    """Take out of the grading copy ``folder`` every file that is not a regular file with one name
    in the submission ``submitted`` (``irregular_entries``); return ``{relative path: kind}``.

    Notebooks stay (they are rebuilt from the released one) and so do ``course_files`` (nbgrader
    replaced them with the course's own); whatever nbgrader's copy made of any other such file
    (a followed link is a regular file holding the other file's content) is removed.
    """
    found = irregular_entries(submitted)
    if "." in found:  # the submission folder itself is a link: nothing in it is the participant's own
        found = {p.relative_to(folder).as_posix(): "symlink" for p in folder.rglob("*")
                 if not p.is_dir() or p.is_symlink()}
    for rel in found:
        if rel.endswith(".ipynb") or rel in course_files:
            continue
        path = folder / rel
        if path.is_symlink() or path.exists():
            _remove(path)
    return found


class KeepOnlyCourseFiles(NbGraderPreprocessor):
    """First autograde step, before the kernel starts: see the module docstring."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        coursedir = _coursedir(self)
        folder = Path(resources.get("metadata", {}).get("path") or ".").resolve()
        expected = Path(coursedir.format_path(coursedir.autograded_directory, info["student"],
                                              info["assignment"])).resolve()
        if folder != expected:
            raise RuntimeError(f"lablib: {folder} tidak dinilai: salinan penilaian seharusnya di {expected}")
        who = f"{info['student']}/{info['assignment']}"
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
        exclude = list(self.config.get("Autograde", {}).get("exclude_overwriting", {}).get(info["assignment"], []))
        irregular = remove_irregular(folder, submitted, _course_copied(coursedir, info["assignment"], exclude))
        self._warn_irregular(who, info["assignment"], irregular)
        removed = keep_only(folder, allowed_files(coursedir, info["assignment"]))
        removed = [r for r in removed if r not in irregular]
        if removed:
            self.log.warning("lablib: %s: berkas yang bukan bagian tugas dikeluarkan dari salinan penilaian "
                             "(pengumpulannya tetap menyimpannya): %s", who, ", ".join(removed))
        try:
            stage = get_stage(info["assignment"])
        except KeyError:
            return nb, resources
        stripped = strip_unknown_keys(folder / stage.answers_filename, stage.slug)
        if stripped:
            self.log.warning("lablib: %s: kunci yang tidak dikenal dibuang dari berkas jawaban: %s", who,
                             ", ".join(stripped[:20]) + (" …" if len(stripped) > 20 else ""))
        return nb, resources

    def _warn_irregular(self, who: str, assignment: str, irregular: dict[str, str]) -> None:
        if not irregular:
            return
        try:
            answers_name = get_stage(assignment).answers_filename
        except KeyError:
            answers_name = None
        if answers_name in irregular or "." in irregular:
            kind = irregular.get(answers_name) or irregular.get(".", "symlink")
            self.log.warning("lablib: %s: berkas jawaban %s di pengumpulan bukan file biasa (%s), jadi tidak "
                             "dinilai: peserta dinilai seperti tanpa jawaban (pengumpulannya tetap menyimpannya)",
                             who, answers_name, kind_name(kind))
        others = [f"{rel} ({kind_name(kind)})" for rel, kind in irregular.items() if rel != answers_name]
        if others:
            self.log.warning("lablib: %s: berkas di pengumpulan yang bukan file biasa tidak dipakai untuk penilaian "
                             "(notebook dinilai dari notebook rilis, berkas kursus dari salinan kursus): %s",
                             who, ", ".join(others))
