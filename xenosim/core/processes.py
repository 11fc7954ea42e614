"""Worker processes that never outlive the command that started them.

A pool worker of ``xenosim run --jobs N`` asks the Linux kernel to kill it when its parent dies
(``prctl(PR_SET_PDEATHSIG)``), so a SIGKILL or SIGTERM of the command leaves no ~200 MB workers
(nor, with them gone, the multiprocessing resource tracker) behind. Elsewhere it is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Pool initializer: be killed when the parent process ends (Linux); exit at once if the
    parent is already gone (it died before this worker got here)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        os._exit(1)
