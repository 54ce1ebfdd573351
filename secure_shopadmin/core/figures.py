"""One figure of the security overview; each capability's ``overview`` module returns a list of them."""

from dataclasses import dataclass, field


@dataclass
class Figure:
    """One figure: ``key`` is stable (JSON, thresholds), ``label`` is for people, ``url`` fixes it."""

    key: str
    label: str
    value: object
    url: str = ""
    breakdown: dict = field(default_factory=dict)

    @property
    def number(self):
        return self.value if isinstance(self.value, int) else sum(self.breakdown.values())
