"""Worker processes that never outlive the command that started them.

A pool worker of ``xenosim run --jobs N`` asks the Linux kernel to kill it when its parent dies
(``prctl(PR_SET_PDEATHSIG)``), so a SIGKILL or SIGTERM of the command leaves no ~200 MB workers
(nor, with them gone, the multiprocessing resource tracker) behind. Elsewhere it is a no-op.
Ctrl-C (SIGINT, sent to the whole process group) is the parent's to handle: workers ignore it
(each would otherwise print its own KeyboardInterrupt traceback) and the parent stops them with
:func:`stop_workers`, so an interrupted run neither waits for the mice being simulated nor
leaves workers behind.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Pool initializer: be killed when the parent process ends (Linux); exit at once if the
    parent is already gone (it died before this worker got here); leave Ctrl-C to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        os._exit(1)


def stop_workers(executor) -> None:
    """After a Ctrl-C in the parent: cancel what is queued and end this process's worker
    processes now (SIGTERM) instead of waiting for the tasks they are running."""
    executor.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.terminate()
    for child in multiprocessing.active_children():
        child.join(timeout=10)
