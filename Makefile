# The two commands of the README: `make demo` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
MANAGE := cd example_project && ../$(PY) manage.py
comma := ,
DB_EXTRA := $(if $(findstring mysql,$(DATABASE_URL)),$(comma)mysql,)

.PHONY: demo test tour venv install-demo install-test messages docs clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

venv: $(PY)

install-demo: venv
	$(PIP) install --quiet -e ".[example]"

# installed once per venv and set of extras, again when setup.cfg or pyproject.toml change (so several
# `make test` runs can share one venv at the same time)
TEST_STAMP := $(VENV)/.installed-test$(subst $(comma),-,$(DB_EXTRA))

install-test: $(TEST_STAMP)

$(TEST_STAMP): $(PY) setup.cfg pyproject.toml
	$(PIP) install --quiet -e ".[test,dev,example,drf$(DB_EXTRA)]"
	touch $@

demo: install-demo
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) runserver localhost:8000

test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

# the docs' tour screenshots (docs/_static/tour/, English and Japanese): only this target writes them
tour: install-test
	@(fc-list :lang=ja 2>/dev/null | grep -q .) || echo "make tour: no Japanese font found (apt-get install -y fonts-noto-cjk); the -ja screenshots would show boxes" >&2
	SSA_TOUR=1 $(PY) -m pytest -m tour tests/browser $(PYTEST_ARGS)

messages: venv
	cd secure_shopadmin && ../$(PY) -m django makemessages -l ja --no-obsolete
	msgfmt --check --statistics -o secure_shopadmin/locale/ja/LC_MESSAGES/django.mo secure_shopadmin/locale/ja/LC_MESSAGES/django.po

docs: venv
	$(PIP) install --quiet -e ".[docs]"
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) docs/_build example_project/db.sqlite3 build dist *.egg-info
