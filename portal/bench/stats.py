"""The figures every phase reports: percentiles of timings and the process's peak memory."""

import resource
import statistics
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM belongs to the program now running; getrusage's
    maxrss would carry the forking parent's peak (the runner's) into every worker phase."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def at(q: float) -> float:
        if not ordered:
            return 0.0
        position = (len(ordered) - 1) * q
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return {
        "n": len(ordered),
        "p50": at(0.5),
        "p95": at(0.95),
        "p99": at(0.99),
        "mean": statistics.fmean(ordered) if ordered else 0.0,
    }
