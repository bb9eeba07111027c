"""The literate contract: `rome_nb/` is what `nbdev_export` writes from `nbs/`, and every notebook is stored clean.

    python tools/check_literate.py      # `make test` and CI run it; exit code 1 names the files that would change

Works on a copy (nothing in the working tree is touched): exports and cleans the copy, then compares.
"""
import filecmp, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def _changed(a: Path, b: Path, pattern: str) -> list[str]:
    out = []
    for f in sorted(a.rglob(pattern)):
        if ".ipynb_checkpoints" in f.parts or "__pycache__" in f.parts: continue
        g = b / f.relative_to(a)
        if not g.exists() or not filecmp.cmp(f, g, shallow=False): out.append(str(f.relative_to(a.parent)))
    out += [str(g.relative_to(b.parent)) for g in sorted(b.rglob(pattern)) if not (a / g.relative_to(b)).exists()]
    return out

def main() -> int:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name in ("settings.ini", "setup.py", "pyproject.toml"): shutil.copy2(ROOT / name, tmp / name)
        for name in ("nbs", "rome_nb"): shutil.copytree(ROOT / name, tmp / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        for cmd in (["nbdev_export"], ["nbdev_clean"]):
            p = subprocess.run([str(BIN / cmd[0]), *cmd[1:]], cwd=tmp, capture_output=True, text=True)
            if p.returncode: print(f"{cmd[0]} failed:\n{p.stderr[-2000:]}", file=sys.stderr); return 1
        exported = _changed(ROOT / "rome_nb", tmp / "rome_nb", "*.py")
        unclean = _changed(ROOT / "nbs", tmp / "nbs", "*.ipynb")
    if exported: print("rome_nb/ differs from what nbdev_export writes (edit the notebooks, run `make export`): " + ", ".join(exported), file=sys.stderr)
    if unclean: print("notebooks not stored clean (run `nbdev_clean`): " + ", ".join(unclean), file=sys.stderr)
    if exported or unclean: return 1
    print("literate contract: rome_nb/ is exported from nbs/, and the notebooks are clean")
    return 0

if __name__ == "__main__":
    sys.exit(main())
