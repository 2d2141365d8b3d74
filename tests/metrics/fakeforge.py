"""The local fake forge of the tests is the benchmark's (portal/bench/fakeforge.py): one fake forge."""

from portal.bench.fakeforge import Answer, FakeForge

__all__ = ["Answer", "FakeForge"]
