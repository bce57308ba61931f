"""Write deploy/z2jh/values.yaml: what `lablib hub helm-values` writes for an example course.

Run: .venv/bin/python deploy/z2jh/make_values.py   (tests/test_hub.py checks the file is current)
"""

from __future__ import annotations

from pathlib import Path

from lablib.hub.helm import helm_values_text
from lablib.hub.settings import HubSettings

HERE = Path(__file__).resolve().parent
EXAMPLE = HubSettings(course_root=Path("/srv/kursus"), course_id="bimtek-inovasi", trainer="fasilitator",
                      exchange=Path("/srv/nbgrader/exchange"), site_root=Path("/srv/lablib/bimtek-inovasi"))
PARTICIPANTS = ("p01-dinkes", "p02-disdukcapil", "p03-dkp")


def render() -> str:
    return helm_values_text(EXAMPLE, PARTICIPANTS, "postgresql://lablib:sandi@postgres:5432/bimtek")


if __name__ == "__main__":
    (HERE / "values.yaml").write_text(render(), encoding="utf-8")
    print(HERE / "values.yaml")
