"""The benchmark and load-test tooling (portal/bench/, portal/loadtest.py) is not part of the running
portal: only its two commands import it, when they run, and the production image leaves it out (see
.dockerignore). There the commands say so in one line instead of failing on an import."""

import importlib
from types import ModuleType

from django.core.management.base import CommandError

# The benchmark's scales (portal.bench.scales.SCALES; tiny is the tests'), named here so that `--help`
# needs no tooling.
SCALE_NAMES = ("tiny", "small", "large")


def tooling(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            raise CommandError(
                "The benchmark and load-test tooling is not in this installation (the production image "
                "leaves it out): run it from a source checkout, e.g. `make bench`."
            ) from error
        raise
