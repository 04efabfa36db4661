"""What every command line of the project shares: usage errors and RecruitingErrors end as
one line on stderr with exit code 2, never a stack trace."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from recruiting.errors import RecruitingError
from recruiting.infra.private_files import restrict_umask

Command = Callable[[argparse.Namespace], int]


class OneLineParser(argparse.ArgumentParser):
    """Usage errors follow the CLI convention: one line on stderr, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def run_command(args: argparse.Namespace) -> int:
    """Call the handler the sub-command set as ``func``; its errors become one line."""
    command: Command = args.func
    restrict_umask()  # payroll files, EHR spool, reports: owner only
    try:
        code = command(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        return code
    except RecruitingError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (``| head``) stopped reading: not an error of ours. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 1
