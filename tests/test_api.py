import subprocess
import sys
import types

import lablib


def test_all_lists_exactly_the_public_names():
    public = {name for name in dir(lablib) if not name.startswith("_")
              and not isinstance(getattr(lablib, name), types.ModuleType)} - {"annotations", "import_module", "Any"}
    assert set(lablib.__all__) == public
    for name in lablib.__all__:
        assert getattr(lablib, name) is not None


def test_the_public_api_stays_small():
    assert len(lablib.__all__) <= 14


def test_import_lablib_does_not_import_heavy_libraries():
    code = ("import sys, lablib; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'pandas', 'matplotlib', 'ipywidgets', 'nbgrader', 'numpy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
