"""Check that the test guard works before trusting it: `make test` runs this first.

Starts a Python process with the guard on (`tools/guard` on PYTHONPATH, ROME_NB_FORBID set to a temporary
directory) and checks that it can read a file outside that directory but not one inside it.
"""
import os, subprocess, sys, tempfile
from pathlib import Path

GUARD = Path(__file__).resolve().parent

def main() -> int:
    with tempfile.TemporaryDirectory() as d:
        forbidden, allowed = Path(d) / "shared", Path(d) / "ok.txt"
        forbidden.mkdir(); (forbidden / "data.json").write_text("[]"); allowed.write_text("ok")
        code = ("import sys\n"
                f"assert open({str(allowed)!r}).read() == 'ok'\n"
                f"try: open({str(forbidden / 'data.json')!r})\n"
                "except PermissionError: sys.exit(0)\n"
                "sys.exit('the guard let a read of the forbidden directory through')\n")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(GUARD), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               "ROME_NB_FORBID": str(forbidden)}
        p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if p.returncode:
        print(f"test guard self-test failed: {p.stderr.strip() or p.stdout.strip()}", file=sys.stderr)
        return 1
    print(f"test guard: reads under ROME_NB_FORBID={os.environ.get('ROME_NB_FORBID', '(unset)')} fail during the tests")
    return 0

if __name__ == "__main__":
    sys.exit(main())
