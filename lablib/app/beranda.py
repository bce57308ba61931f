"""``Beranda.ipynb``: the notebook Voilà renders as the participant's home page.

Written into the participant's folder (the Jupyter root) when the server starts
(``lablib.app.server``) or by ``lablib beranda``. Writing it again is harmless: an unchanged
file stays as it is. A participant who opened it in JupyterLab and ran it only added outputs;
that file is replaced. One whose cells someone edited is never overwritten silently: it is
kept as ``Beranda-lama-<n>.ipynb`` beside the new one, and the result says so.

Whether the cells were edited is told by a hash of the cells' sources, kept in the notebook's
metadata when lablib writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from lablib.core.files import write_text_atomic

__all__ = ["BERANDA", "Written", "beranda_notebook", "write_beranda"]

BERANDA = "Beranda.ipynb"
_CODE = "import lablib.app\nlablib.app.home()"
# One line: the page's own heading ("Beranda") comes from the widget below it.
_TITLE = "*Bimtek Laboratorium Inovasi — halaman awal peserta.*"


def _digest(cells: list) -> str:
    sources = [(c.get("cell_type", ""), "".join(c.get("source", ""))) for c in cells]
    return hashlib.sha256(json.dumps(sources, ensure_ascii=False).encode("utf-8")).hexdigest()


def beranda_notebook() -> dict:
    """Beranda as notebook JSON (nbformat 4, no outputs)."""
    cells = [
        {"cell_type": "markdown", "id": "beranda-judul", "metadata": {}, "source": _TITLE},
        {"cell_type": "code", "id": "beranda-halaman", "execution_count": None, "outputs": [],
         "metadata": {"jupyter": {"source_hidden": True}, "tags": ["hide-input"]}, "source": _CODE},
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "lablib": {"beranda": _digest(cells)},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _text(nb: dict) -> str:
    return json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@dataclass(frozen=True)
class Written:
    """What ``write_beranda`` did."""

    path: Path
    changed: bool  # the file was (re)written
    kept: Path | None = None  # someone's edited copy, moved aside

    def describe(self) -> str:
        if self.kept is not None:
            return (f"{self.path} ditulis ulang; versi yang pernah diubah disimpan sebagai {self.kept.name}.")
        return f"{self.path} {'ditulis' if self.changed else 'sudah ada dan tidak berubah'}."


def _edited(path: Path) -> bool:
    """Whether the file on disk holds cells someone changed (not just outputs added)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        recorded = doc["metadata"]["lablib"]["beranda"]
        return _digest(doc["cells"]) != recorded
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return True  # not a Beranda lablib wrote: someone's own file


def _free_name(folder: Path) -> Path:
    n = 1
    while (folder / f"Beranda-lama-{n}.ipynb").exists():
        n += 1
    return folder / f"Beranda-lama-{n}.ipynb"


def write_beranda(folder: str | os.PathLike) -> Written:
    """Write ``<folder>/Beranda.ipynb`` when it is missing or differs; keep an edited copy."""
    path = Path(folder) / BERANDA
    text = _text(beranda_notebook())
    kept = None
    if os.path.lexists(path):
        try:
            if path.read_text(encoding="utf-8") == text:
                return Written(path, False)
        except (OSError, UnicodeDecodeError):
            pass
        if _edited(path):
            kept = _free_name(path.parent)
            os.replace(path, kept)
    write_text_atomic(path, text)
    return Written(path, True, kept)
