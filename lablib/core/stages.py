"""The five stages of the Laboratorium Inovasi 5D model."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    slug: str
    title: str
    order: int
    purpose: str
    title_en: str = ""

    @property
    def answers_filename(self) -> str:
        return f"jawaban-{self.slug}.json"

    @property
    def notebook_name(self) -> str:
        return f"{self.slug}.ipynb"


STAGES: tuple[Stage, ...] = (
    Stage("drum-up", "Drum-up: Membangun Komitmen", 1,
          "Menggalang komitmen pimpinan dan membentuk tim inovasi OPD.", "Drum-up: building commitment"),
    Stage("diagnose", "Diagnose: Mendiagnosis Masalah", 2,
          "Memetakan dan memprioritaskan masalah layanan, mencari akar masalah, dan memilih ide.",
          "Diagnose: finding the problem"),
    Stage("design", "Design: Merancang Inovasi", 3,
          "Menyusun rancangan inovasi, indikator, rencana aksi, dan anggaran.", "Design: planning the innovation"),
    Stage("deliver", "Deliver: Menguji Coba Inovasi", 4,
          "Melaksanakan uji coba bersama masyarakat dan belajar dari datanya.", "Deliver: trialling the innovation"),
    Stage("display", "Display: Memamerkan dan Mereplikasi", 5,
          "Menyusun proposal, mempresentasikan, dan menyebarluaskan inovasi.", "Display: showcase and replication"),
)

_BY_SLUG = {s.slug: s for s in STAGES}


def get_stage(slug: str) -> Stage:
    """Return the stage with this slug, or raise ``KeyError`` naming the valid slugs."""
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise KeyError(f"unknown stage {slug!r}; expected one of {', '.join(_BY_SLUG)}") from None
