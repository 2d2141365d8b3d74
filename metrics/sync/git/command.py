"""Running git for the sync: a clean environment (no variable may point it at another repository, no
prompt may wait for a person), bounded time, and failures told apart as network (worth retrying with
back-off) or not, in one line without credentials."""

import os
import re
import subprocess
from pathlib import Path
from typing import Any, TypedDict, Unpack

from django.conf import settings

from metrics.sync.git.urls import without_credentials
from metrics.sync.http import ForgeError, TransientForgeError

# Multiples of FORGE_TIMEOUT_SECONDS (20 s by default): a first clone of a large history takes minutes,
# a log of a large history tens of seconds; a hung ssh or proxy must still not block a worker forever.
NETWORK_TIMEOUT_FACTOR = 30
LOCAL_TIMEOUT_FACTOR = 15
# Phrases of git, curl and ssh that mean "the network failed", as opposed to "no such repository" or
# "permission denied": only the former is worth retrying with back-off.
NETWORK_ERROR_RE = re.compile(
    r"could not resolve|failed to connect|couldn't connect|connection (?:refused|timed out|reset)"
    r"|timed out|network is unreachable|no route to host|temporary failure in name resolution"
    r"|remote end hung up|early eof|rpc failed|unexpected disconnect|transfer closed|broken pipe"
    r"|gnutls|ssl|tls|returned error: (?:5\d\d|429)",
    re.IGNORECASE,
)
# Variables that would point git at another repository than the one named on its command line.
REPOSITORY_ENV = {
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES",
}  # fmt: skip


def _first_line(stderr: bytes) -> str:
    """git's own message, without the progress and hint lines around it."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    for line in lines:
        if line.lower().startswith(("fatal:", "error:")):
            return line.split(":", 1)[1].strip()
    return lines[0] if lines else ""


class How(TypedDict, total=False):
    """How one git command runs: on which repository (else none, as for a clone), whether it reaches the
    network (a longer timeout; its failures may be transient), and what it reads on its standard input."""

    git_dir: Path
    network: bool
    given: bytes


class Git:
    """git run in `root` (the folder of the mirrors)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in REPOSITORY_ENV}
        env["GIT_TERMINAL_PROMPT"] = "0"  # a missing credential fails instead of waiting for a person
        env["GIT_ALLOW_PROTOCOL"] = "http:https:ssh:file"
        env["LC_ALL"] = "C"  # English messages, which output() classifies as network or not
        return env

    def run(self, args: list[str], **how: Unpack[How]) -> subprocess.CompletedProcess[bytes]:
        git_dir, network, given = how.get("git_dir"), how.get("network", False), how.get("given")
        command = ["git"] + (["--git-dir", str(git_dir)] if git_dir else []) + args
        factor = NETWORK_TIMEOUT_FACTOR if network else LOCAL_TIMEOUT_FACTOR
        timeout = settings.FORGE_TIMEOUT_SECONDS * factor
        stdin: dict[str, Any] = {"input": given} if given is not None else {"stdin": subprocess.DEVNULL}
        try:
            return subprocess.run(
                command,
                check=False,
                capture_output=True,
                **stdin,
                timeout=timeout,
                env=self._env(),
                cwd=self.root,
            )
        except subprocess.TimeoutExpired as error:
            message = f"git {args[0]} took longer than {timeout:.0f} s"
            raise (TransientForgeError if network else ForgeError)(message) from error
        except FileNotFoundError as error:
            raise ForgeError("git is not installed on this server") from error

    def output(self, args: list[str], **how: Unpack[How]) -> bytes:
        """git's standard output; a failure becomes a one-line ForgeError (or Transient, for the network)."""
        result = self.run(args, **how)
        if result.returncode != 0:
            line = without_credentials(_first_line(result.stderr)) or f"exit {result.returncode}"
            transient = how.get("network", False) and NETWORK_ERROR_RE.search(line)
            raise (TransientForgeError if transient else ForgeError)(f"git {args[0]} failed: {line}"[:500])
        return result.stdout

    def text(self, args: list[str], *, git_dir: Path) -> str:
        """git's standard output as stripped text; "" when git fails (an answer of "no")."""
        result = self.run(args, git_dir=git_dir)
        return result.stdout.decode("utf-8", "replace").strip() if result.returncode == 0 else ""
