"""Print the resolved versions of rome_nb's dependencies and check them against `settings.ini`.

    python tools/versions.py [--allow-untested]   # `make test` runs it first, so every CI log says what it tested

Exits non-zero if an installed version lies outside the range `settings.ini` declares (the range the suite is known
to pass on), unless `--allow-untested` (`make test ALLOW_UNTESTED=1`, for trying a new release on purpose).
"""
import configparser, importlib.metadata as md, platform, shlex, sys
from pathlib import Path
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
SHOWN = ("torch", "transformers", "tokenizers", "accelerate", "safetensors", "gguf", "numpy", "pandas", "nbdev", "execnb", "fastcore")


def main() -> int:
    cfg = configparser.ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini", encoding="utf-8")
    reqs = {Requirement(r).name.lower(): Requirement(r) for key in ("requirements", "dev_requirements")
            for r in shlex.split(cfg["DEFAULT"].get(key, ""))}
    print(f"python {platform.python_version()} ({sys.executable})")
    bad = []
    for name in dict.fromkeys([*SHOWN, *reqs]):
        try: v = md.version(name)
        except md.PackageNotFoundError: v = None
        r = reqs.get(name.lower())
        ok = v is not None and (r is None or r.specifier.contains(v, prereleases=True))
        if r is not None and not ok: bad.append(f"{name} {v or 'missing'} (settings.ini: {r})")
        print(f"{name:14} {v or '-':14} {'' if r is None else str(r.specifier) or 'any'}{'' if ok or r is None else '   <-- outside'}")
    if bad:
        print("versions outside the tested ranges of settings.ini: " + "; ".join(bad), file=sys.stderr)
        return 0 if "--allow-untested" in sys.argv[1:] else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
