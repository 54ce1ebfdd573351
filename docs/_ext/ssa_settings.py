"""``.. secure-shopadmin-settings::`` renders the settings reference from ``secure_shopadmin.conf.DEFAULTS``."""

from docutils import nodes
from docutils.parsers.rst import Directive


class SettingsTable(Directive):
    def run(self):
        from secure_shopadmin.conf import DEFAULTS

        table = nodes.table()
        group = nodes.tgroup(cols=3)
        table += group
        for width in (25, 25, 50):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row(["Key", "Default", "Meaning"])
        body = nodes.tbody()
        group += body
        for key, (default, meaning) in DEFAULTS.items():
            body += self._row([key, repr(default), meaning], literal=(True, True, False))
        return [table]

    def _row(self, cells, literal=(False, False, False)):
        row = nodes.row()
        for text, is_literal in zip(cells, literal, strict=True):
            entry = nodes.entry()
            entry += nodes.paragraph("", "", nodes.literal(text, text) if is_literal else nodes.Text(text))
            row += entry
        return row


def setup(app):
    app.add_directive("secure-shopadmin-settings", SettingsTable)
    return {"parallel_read_safe": True}
