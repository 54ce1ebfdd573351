"""One figure of the security overview; each capability's ``overview`` module returns a list of them."""

from dataclasses import dataclass, field


@dataclass
class Figure:
    """One figure: ``key`` is stable (JSON, thresholds), ``label`` is for people, ``url`` fixes it.

    ``breakdown`` maps stable ids to counts; ``labels`` gives an id its label for people (default: the id).
    """

    key: str
    label: str
    value: object
    url: str = ""
    breakdown: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)

    @property
    def labelled_breakdown(self):
        """[(label, count)] of the breakdown, for pages and the text report."""
        return [(self.labels.get(name, name), count) for name, count in self.breakdown.items()]

    @property
    def number(self):
        return self.value if isinstance(self.value, int) else sum(self.breakdown.values())
