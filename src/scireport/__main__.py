"""Entry point of the ``scireport`` command and of ``python -m scireport``.

The command line is imported inside the guard, so that a Ctrl-C while Python is still
importing (about half a second on a busy machine) also ends with exit code 130 and one
line, not a traceback.
"""

from __future__ import annotations

import gc
import signal
import sys


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
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
