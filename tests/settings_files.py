"""The settings package (portal/settings/) as the tests read it: its source files, and its values when
evaluated afresh under other environment variables."""

import importlib
import os
import sys
from pathlib import Path
from unittest import mock

import portal
import portal.settings

PACKAGE = "portal.settings"
SETTINGS_FILES = sorted(Path(portal.settings.__file__).parent.glob("*.py"))


def settings_evaluated(**environment: str) -> dict:
    """Every name the settings package defines when imported anew with these variables set. The modules
    the running tests use are put back afterwards, so that django.conf.settings is left as it was."""
    running = portal.settings
    with mock.patch.dict(sys.modules), mock.patch.dict(os.environ, environment):
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]
        try:
            return dict(vars(importlib.import_module(PACKAGE)))
        finally:
            # The import bound the new package to its parent's attribute too.
            portal.settings = running
