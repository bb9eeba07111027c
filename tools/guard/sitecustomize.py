"""Test guard, imported at interpreter start-up when `tools/guard` is on PYTHONPATH (`make test` puts it there).

If `ROME_NB_FORBID` names directories (separated by os.pathsep), any attempt of this process to open, list or stat
a path inside them raises PermissionError: the test suite must pass on a fresh clone, where `../shared` does not
exist, so a test that reads it is a defect we want to see at once, not on a user's machine.
"""
import os, sys

_FORBID = [os.path.realpath(p) for p in os.environ.get("ROME_NB_FORBID", "").split(os.pathsep) if p]
_EVENTS = {"open", "os.listdir", "os.scandir", "os.chdir", "glob.glob", "shutil.copyfile", "shutil.copytree"}


def _inside(path) -> bool:
    try: p = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError): return False
    return any(p == d or p.startswith(d + os.sep) for d in _FORBID)


def _guard(event, args):
    if event in _EVENTS and args and isinstance(args[0], (str, bytes, os.PathLike)) and _inside(args[0]):
        raise PermissionError(f"rome_nb test guard: {event}({args[0]!r}) reads {_FORBID}, which a fresh clone does not "
                              "have; tests must not depend on it (see ROME_NB_FORBID in the Makefile)")


if _FORBID: sys.addaudithook(_guard)
