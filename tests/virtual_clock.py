"""A virtual clock for structural timing tests: the hash functions advance it by a cost of their own
and the app's waits by what they sleep, so a check's cost does not depend on the machine's load."""


class VirtualTime:
    """Stands in for the ``time`` module of the code under test."""

    def __init__(self):
        self.now = 1000.0

    def perf_counter(self):
        return self.now

    monotonic = perf_counter

    def sleep(self, seconds):
        self.now += max(0.0, seconds)

    def costing(self, function, seconds_of):
        """``function``, advancing this clock by ``seconds_of(*its arguments)`` on each call."""

        def run(*args, **kwargs):
            self.now += seconds_of(*args, **kwargs)
            return function(*args, **kwargs)

        return run
