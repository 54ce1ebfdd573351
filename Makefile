# The two commands of the README: `make demo` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
MANAGE := cd example_project && ../$(PY) manage.py
comma := ,
DB_EXTRA := $(if $(findstring mysql,$(DATABASE_URL)),$(comma)mysql,)

.PHONY: demo test venv install-demo install-test messages docs clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

venv: $(PY)

install-demo: venv
	$(PIP) install --quiet -e ".[example]"

install-test: venv
	$(PIP) install --quiet -e ".[test,dev,example,drf$(DB_EXTRA)]"

demo: install-demo
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) runserver localhost:8000

test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

messages: venv
	cd secure_shopadmin && ../$(PY) -m django makemessages -l ja --no-obsolete
	msgfmt --check --statistics -o secure_shopadmin/locale/ja/LC_MESSAGES/django.mo secure_shopadmin/locale/ja/LC_MESSAGES/django.po

docs: venv
	$(PIP) install --quiet -e ".[docs]"
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) docs/_build example_project/db.sqlite3 build dist *.egg-info
