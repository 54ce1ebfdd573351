"""CSV cells that a spreadsheet shows as text, never runs as a formula (OWASP "CSV injection").

Every CSV the app writes (the campaign export, ``export_security_events``) passes each cell through
:func:`spreadsheet_safe`: a username or reason such as ``=HYPERLINK(…)`` or ``@SUM(…)`` is kept
with a leading apostrophe.
"""

#: first characters that make a spreadsheet read a cell as a formula (fullwidth forms: a Japanese IME's)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def spreadsheet_safe(value):
    """``value`` as text a spreadsheet shows as it is."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
