"""Entry point of the ``scireport`` command and of ``python -m scireport``.

The command line is imported inside the guard, so that a Ctrl-C while Python is still
importing (about half a second on a busy machine) also ends with exit code 130 and one
line, not a traceback.
"""

from __future__ import annotations

import gc
import signal
import sys
from typing import NoReturn


def main() -> None:
    """Run the command line; Ctrl-C at any point exits 130.

    Ctrl-C is taken back even when the parent started scireport with SIGINT ignored (as a
    non-interactive shell does for a command run in the background): a build must always
    be stoppable the way the README promises.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        gc.disable()  # importing makes many objects and frees few: no collection pays off
        try:
            from .cli import app
        finally:
            gc.enable()
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: nothing half-written was kept\n")
        _exit_interrupted()
    except SystemExit as exc:
        if exc.code == INTERRUPTED:
            _exit_interrupted()
        raise


INTERRUPTED = 130
"""Exit code of a command stopped by Ctrl-C."""


def _exit_interrupted() -> NoReturn:
    """Leave at once with :data:`INTERRUPTED`, once the interrupted command has unwound.

    Every ``finally`` and ``with`` block has run by then (staged files discarded, locks
    released); what is skipped are the interpreter's exit handlers, among them
    concurrent.futures' join of a worker pool whose workers the interrupt killed, which
    could print a traceback ("Bad file descriptor") after the one-line message.
    """
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(INTERRUPTED)


if __name__ == "__main__":
    main()
