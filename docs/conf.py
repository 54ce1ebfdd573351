import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "example_project"), str(Path(__file__).parent / "_ext")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopconsole.settings")

import secure_shopadmin  # noqa: E402

project = "django-secure-shopadmin"
author = "The secure_shopadmin developers"
copyright = "2026, " + author
release = secure_shopadmin.__version__
version = release

extensions = ["sphinx.ext.autodoc", "ssa_settings"]
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "secure_shopadmin"
html_static_path = ["_static"]
language = "en"
nitpicky = False
