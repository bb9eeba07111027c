"""Build the rome_nb docs site into `_docs/` with no Quarto and no network: `make docs`.

The site is made of maintained parts; nothing here writes HTML by hand:

1. **Which pages, in which order, under which titles**: read from the top-level `_quarto.yml` (its
   `website.sidebar.contents`), the one definition of the site, which `nbdev_docs` also renders with Quarto.
2. **nbdev's own notebook processors** (`nbdev.processors.FilterDefaults`, as `nbdev_docs` runs them):
   title/summary front matter, `#| hide`, `#| hide_line`, `show_doc` cells added and *executed* for every
   exported function and class (signature, parameter table, docstring), links to documented names, magics
   removed. One difference from nbdev's default: `#| export` cells are shown, as "Exported source" under
   their `show_doc` (nbdev's `#| exports` behaviour), because in this project the code is half the text.
3. The remaining Quarto cell options (`echo`, `output`, `include`, `code-fold`) become MyST-NB cell tags,
   and nbdev's links to the published site become links inside this site.
4. **Sphinx + MyST-NB + Furo** render the processed notebooks with their *stored* outputs (nothing is
   executed at build time): figures inline, sidebar with the `_quarto.yml` sections, full-text search,
   MathJax, and the Jupyter widget state each notebook carries. The widget manager
   (`@jupyter-widgets/html-manager`) and MathJax are served from the site itself (`tools/vendor_js.py`
   fetches them once with npm), so the built site works with no network.

Usage: `python tools/build_docs.py [--out _docs] [--only NAME ...]`.
"""
from __future__ import annotations
import argparse, json, os, re, shutil, subprocess, sys, time
from pathlib import Path

import nbformat, yaml

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
WORK = ROOT / ".docs_build"  # scratch, git-ignored: src/ (processed notebooks + conf.py), html/ (Sphinx output)
SRC = WORK / "src"
sys.path.insert(0, str(ROOT / "tools"))


# ---------------------------------------------------------------- the plan, from _quarto.yml
def _docname(nb: str) -> str:
    "Page name as nbdev/Quarto publish it (`00_core.ipynb` -> `core`), so links match both sites."
    from nbdev.doclinks import _nbpath2html
    return _nbpath2html(Path(nb)).with_suffix("").as_posix()

def site_plan(quarto: Path = ROOT / "_quarto.yml") -> dict:
    """Title and pages of the site from `_quarto.yml`: `{"title", "description", "pages": [{nb, doc, text, section}]}`.

    Sidebar entries may be a path, `{href, text}`, or `{section, contents}` (nested sections are flattened
    under their top-level section's caption). The home page is `index.ipynb`."""
    q = yaml.safe_load(quarto.read_text())
    site = q.get("website", {})
    pages, missing = [], []
    def add(item, section):
        if isinstance(item, str): item = {"href": item}
        if "section" in item:
            for sub in item.get("contents", []): add(sub, section or item["section"])
            return
        href = item.get("href") or item.get("file")
        if not href: raise ValueError(f"_quarto.yml: sidebar entry without href: {item!r}")
        if not (NBS / href).is_file():  # a chapter not written yet: leave it out, loudly
            print(f"build_docs: warning: _quarto.yml lists {href!r}, which is not in nbs/: skipped", file=sys.stderr)
            missing.append(href); return
        pages.append(dict(nb=href, doc=_docname(href), text=item.get("text"), section=section))
    for item in site.get("sidebar", {}).get("contents", []): add(item, None)
    if not any(p["doc"] == "index" for p in pages): pages.insert(0, dict(nb="index.ipynb", doc="index", text=None, section=None))
    return dict(title=site.get("title", "docs"), description=site.get("description", ""), pages=pages, missing=missing)


# ---------------------------------------------------------------- nbdev processing
def _pure_imports(cell) -> bool:
    import ast
    try: tree = ast.parse(cell.source)
    except SyntaxError: return False
    return bool(tree.body) and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body)

def _procs():
    """nbdev's processors, as `nbdev_docs` runs them, with one change: to render `show_doc`, nbdev also executes
    every cell that mixes imports with other code (and warns, see nbdev's FAQ), which here would load models and
    run tests at build time; we execute only exported cells, `show_doc` cells and cells of imports alone."""
    from nbdev import processors as P
    class exec_show_docs(P.exec_show_docs):
        def __call__(self, cell):
            if cell.cell_type == "code" and P._do_eval(cell) and not (cell.directives_.keys() & {"export", "exports", "exporti", "exec_doc"}) \
               and not P._show_docs(cell.parsed_() or []) and not _pure_imports(cell): return
            return super().__call__(cell)
    return [exec_show_docs if p is P.exec_show_docs else p for p in P.FilterDefaults().procs()]

_re_export = re.compile(r"^(\s*#\|\s*)export(\s*)$", re.MULTILINE)

def nbdev_process(path: Path):
    "Read notebook `path` and run nbdev's docs processors on it (show_doc cells are executed here)."
    from execnb.nbio import read_nb
    from nbdev.process import NBProcessor
    nb = read_nb(path)
    nb.path_ = str(path)
    for c in nb.cells:  # show `#| export` cells, as nbdev shows `#| exports` ones
        if c.cell_type == "code": c.source = _re_export.sub(r"\1exports\2", c.source)
    try:
        from ipywidgets import Widget
        Widget.close_all()  # exec_show_docs stores the live widgets' state: start each notebook clean
    except ImportError: pass
    cwd = os.getcwd()
    os.chdir(path.parent)  # notebooks run from their own folder
    try: NBProcessor(nb=nb, procs=_procs()).process()
    finally: os.chdir(cwd)
    return nb


# ---------------------------------------------------------------- nbdev/Quarto -> MyST-NB
_re_qopt = re.compile(r"^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$")
_TAGS = {("echo", "false"): "remove-input", ("output", "false"): "remove-output", ("include", "false"): "remove-cell",
         ("code-fold", "true"): "hide-input", ("code-fold", "show"): "hide-input"}

def _split_options(source: str):
    "Leading Quarto `#| key: value` lines of a code cell -> ({key: value}, remaining source)."
    lines, opts = source.splitlines(), {}
    while lines and _re_qopt.match(lines[0]):
        k, v = _re_qopt.match(lines.pop(0)).groups()
        opts[k] = v.strip("'\"").lower() if k != "code-summary" else v.strip("'\"")
    return opts, "\n".join(lines).strip("\n")

def _site_links(text: str, depth: int) -> str:
    """nbdev's links to the published site (`[`load_model`](doc_host/doc_baseurl/core.html#load_model)`) -> links
    inside this site, as inline HTML (MyST would otherwise try to resolve `core.html` as a cross-reference)."""
    from nbdev.config import get_config
    cfg = get_config()
    base = cfg.doc_host.rstrip("/") + "/" + cfg.doc_baseurl.strip("/") + "/"
    up = "../" * depth
    def fix(m):
        label, page, anchor = m.group(1), m.group(2), m.group(3)
        href = up + page + (f"#{anchor.lower()}" if anchor else "")
        code = re.fullmatch(r"`([^`]+)`", label)
        inner = f'<code class="docutils literal notranslate"><span class="pre">{code.group(1)}</span></code>' if code else label
        return f'<a class="reference internal" href="{href}">{inner}</a>'
    return re.sub(r"\[([^\]]+)\]\(" + re.escape(base) + r"([\w/.-]+\.html)(?:#([\w.-]+))?\)", fix, text)

_re_srclink = re.compile(r"\[source\]\(([^)\s]+)\)\{[^}]*\}")

_DOCS = {}  # notebook path (relative to nbs/) -> page name, filled by build()

def _nb_links(md: str, page: dict | None) -> str:
    "Links to notebooks (`01_tracing.ipynb`, as Quarto takes them) -> links to their pages here (`tracing.ipynb`)."
    if page is None: return md
    here = Path(page["nb"]).parent
    def fix(m):
        target = os.path.normpath((here / m.group(2)).as_posix())
        if target not in _DOCS: return m.group(0)
        rel = os.path.relpath(_DOCS[target], Path(page["doc"]).parent.as_posix())
        return f"{m.group(1)}({rel}.ipynb{m.group(3) or ''})"
    return re.sub(r"(\[[^\]]*\])\(([\w./-]+\.ipynb)(#[\w.-]+)?\)", fix, md)

def _fix_markdown(md: str, depth: int, showdoc: bool = False, page: dict | None = None) -> str:
    md = _nb_links(md, page)
    md = _re_srclink.sub(r'<a class="sourcelink reference external" href="\1">source</a>', md)
    if showdoc: md = re.sub(r"^---\s*$", '<hr class="docutils showdoc-rule">', md, count=1, flags=re.MULTILINE)
    return _site_links(md, depth)

_re_test = re.compile(r"^\s*(test_eq|test_fail|test_close|test_ne|assert)\b|^\s*for .*:\s*\n\s+(test_|assert)", re.MULTILINE)

def _is_test(src: str) -> bool:
    "A code cell that checks something (fastcore's test functions or `assert`): folded on the site, its output shown."
    return bool(_re_test.search(src))

def to_myst(nb, page: dict, plan: dict):
    "Turn an nbdev-processed notebook into one MyST-NB renders like Quarto would."
    depth = page["doc"].count("/")
    cells = []
    for c in nb.cells:
        c = dict(c)
        c.pop("directives_", None); c.pop("idx_", None); c.pop("has_sd", None)
        meta = dict(c.get("metadata", {}))
        meta.pop("language", None)
        src = c.get("source", "")
        if c["cell_type"] == "raw":
            m = re.match(r"^---\s*\n(.*?)\n---\s*$", src.strip(), re.DOTALL)
            if not m: continue
            fm = yaml.safe_load(m.group(1)) or {}
            head = f"# {fm.get('title', page['doc'])}\n"
            if fm.get("description"): head += "\n{.chapter-summary}\n" + str(fm["description"]) + "\n"
            cells.append(nbformat.v4.new_markdown_cell(head))
            continue
        if c["cell_type"] == "markdown":
            if src.strip().startswith("<!-- WARNING: THIS FILE WAS AUTOGENERATED"): continue
            cell = nbformat.v4.new_markdown_cell(_fix_markdown(src, depth, page=page))
            if c.get("attachments"): cell["attachments"] = c["attachments"]
            cells.append(cell)
            continue
        opts, src = _split_options(src)
        tags = [t for (k, v), t in _TAGS.items() if opts.get(k) == v]
        if opts.get("code-fold"): tags.append("exported-source")
        elif _is_test(src) and "hide-input" not in tags: tags += ["hide-input", "tests"]  # prose and figures first
        outputs = []
        for o in c.get("outputs", []):
            o = dict(o)
            if "data" in o and "text/markdown" in o["data"]:
                md = o["data"]["text/markdown"]
                md = "".join(md) if isinstance(md, list) else md
                o["data"] = {**o["data"], "text/markdown": _fix_markdown(md, depth, showdoc=src.startswith("show_doc("))}
            outputs.append(o)
        if not src.strip() and not outputs: continue
        if not src.strip() and "remove-input" not in tags: tags.append("remove-input")
        cell = nbformat.v4.new_code_cell(src, outputs=[nbformat.from_dict(o) for o in outputs],
                                         execution_count=c.get("execution_count"))
        if tags: cell.metadata["tags"] = tags
        cells.append(cell)
    if page["doc"] == "index": cells.append(nbformat.v4.new_markdown_cell(_toctrees(plan)))
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata = {k: v for k, v in dict(nb.metadata).items() if k in ("kernelspec", "language_info", "widgets")}
    out.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    return out

def _toctrees(plan: dict) -> str:
    "Hidden toctrees, one per `_quarto.yml` section, in its order: Furo draws them as the sidebar."
    groups = []
    for p in plan["pages"]:
        if p["doc"] == "index": continue
        if not groups or groups[-1][0] != p["section"]: groups.append((p["section"], []))
        groups[-1][1].append(f"{p['text']} <{p['doc']}>" if p["text"] else p["doc"])
    out = []
    for section, docs in groups:
        out.append("```{toctree}\n:hidden:\n" + (f":caption: {section}\n" if section else "") + "\n" + "\n".join(docs) + "\n```")
    return "\n\n".join(out)


# ---------------------------------------------------------------- Sphinx
CONF = '''# GENERATED by tools/build_docs.py from _quarto.yml: do not edit.
project = {title!r}
html_title = {title!r}
copyright = {copyright!r}
extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
nb_execution_mode = "off"             # the site shows the outputs stored in the notebooks
nb_render_markdown_format = "myst"    # show_doc's tables and math
nb_output_stderr = "show"
nb_code_prompt_show = "Show {{type}}"
nb_code_prompt_hide = "Hide {{type}}"
nb_ipywidgets_js = {{"vendor/html-manager/embed.js": {{}}}}   # served by the site, not a CDN
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "attrs_inline", "attrs_block", "html_image", "deflist"]
myst_heading_anchors = 3
mathjax_path = "vendor/mathjax/tex-mml-chtml.js"
html_theme = "furo"
html_static_path = ["_static"]
html_css_files = ["styles.css", "site.css"]
html_js_files = ["site.js"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {{"navigation_with_keys": True}}
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header", "misc.highlighting_failure"]
'''

SITE_CSS = """/* GENERATED by tools/build_docs.py. The project's own styles are in nbs/styles.css. */
.chapter-summary { font-size: 1.15em; color: var(--color-foreground-secondary); margin-top: -0.5em; }
a.sourcelink { float: right; font-size: smaller; }
.tag_exported-source details.hide summary { font-size: 0.85em; }
div.cell_output img { max-width: 100%; height: auto; }
/* nothing may overflow the text column sideways: wide equations and code scroll inside it, signatures wrap */
mjx-container[display="true"] { display: block; overflow-x: auto; overflow-y: hidden; max-width: 100%; padding: 2px 0; }
div.highlight pre, div.cell_output pre { overflow-x: auto; max-width: 100%; }
div.cell_output pre, .showdoc-signature pre { white-space: pre-wrap; overflow-wrap: anywhere; }
article code.literal, article p code { overflow-wrap: anywhere; }
table.docutils { display: block; overflow-x: auto; max-width: 100%; }
"""

SITE_JS = """// GENERATED by tools/build_docs.py.
// The widget manager typesets widget labels with MathJax 2's `MathJax.Hub.Queue`; the site serves MathJax 3.
// Give it a `Hub.Queue` that calls MathJax 3's `typesetPromise` (kept when MathJax 3 replaces its config object).
(function () {
  function typeset(job) {
    var mj = window.MathJax, el = job && job[2];
    if (mj && mj.typesetPromise) mj.typesetPromise(el ? [el] : undefined).catch(function () {});
  }
  var hub = {Queue: typeset};
  var mj = window.MathJax = window.MathJax || {};
  mj.Hub = hub;
  mj.startup = mj.startup || {};
  var ready = mj.startup.ready;
  mj.startup.ready = function () {
    if (ready) ready(); else window.MathJax.startup.defaultReady();
    window.MathJax.Hub = hub;
  };
})();
"""

def write_sources(plan: dict, nbs: dict, vendor: Path):
    "The Sphinx source tree: processed notebooks, conf.py, static files, and every asset under nbs/."
    if SRC.exists(): shutil.rmtree(SRC)
    SRC.mkdir(parents=True)
    # assets referenced by notebooks (images/, data files); notebooks and generated files are not copied
    skip = {".ipynb_checkpoints", "__pycache__"}
    for f in NBS.rglob("*"):
        rel = f.relative_to(NBS)
        if f.is_dir() or set(rel.parts) & skip or f.suffix == ".ipynb" or f.name in ("_quarto.yml", "nbdev.yml", "sidebar.yml"): continue
        (SRC / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, SRC / rel)
    for doc, nb in nbs.items():
        (SRC / doc).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, SRC / f"{doc}.ipynb")
    from nbdev.config import get_config
    (SRC / "conf.py").write_text(CONF.format(title=plan["title"], copyright=get_config().get("copyright", "")))
    static = SRC / "_static"
    static.mkdir(exist_ok=True)
    css = NBS / "styles.css"
    (static / "styles.css").write_text(css.read_text() if css.exists() else "")
    (static / "site.css").write_text(SITE_CSS)
    (static / "site.js").write_text(SITE_JS)
    shutil.copytree(vendor, static / "vendor", ignore=shutil.ignore_patterns("*.json", "*.map"))


def build(out: Path = ROOT / "_docs", only: list[str] | None = None, strict: bool = False) -> dict:
    t0 = time.time()
    subprocess.run([sys.executable, str(ROOT / "tools" / "sync_quarto.py")], check=True)
    from vendor_js import vendor_dir
    vendor = vendor_dir()
    plan = site_plan()
    _DOCS.update({os.path.normpath(p["nb"]): p["doc"] for p in plan["pages"]})
    if strict and plan["missing"]: sys.exit(f"build_docs: _quarto.yml lists missing notebooks: {plan['missing']}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    nbs = {}
    for page in plan["pages"]:
        if only and page["doc"] not in only and page["nb"] not in only: continue
        t = time.time()
        nbs[page["doc"]] = to_myst(nbdev_process(NBS / page["nb"]), page, plan)
        print(f"build_docs: processed {page['nb']} -> {page['doc']}.html ({time.time() - t:.1f}s)", file=sys.stderr)
    listed = {p["nb"] for p in plan["pages"]}
    for f in sorted(NBS.rglob("*.ipynb")):
        rel = f.relative_to(NBS).as_posix()
        if rel not in listed and ".ipynb_checkpoints" not in rel:
            print(f"build_docs: note: {rel} is not in _quarto.yml's sidebar, so not on the site", file=sys.stderr)
    write_sources(plan, nbs, vendor)
    html = WORK / "html"  # MyST-NB writes beside the output folder, so build in the scratch folder, then move
    if html.exists(): shutil.rmtree(html)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "1", "-d", str(WORK / "doctrees"), str(SRC), str(html)]
    if strict: cmd[4:4] = ["-W", "--keep-going"]
    r = subprocess.run(cmd)
    if r.returncode: sys.exit(f"build_docs: sphinx-build failed ({r.returncode})")
    if out.exists(): shutil.rmtree(out)
    shutil.move(str(html), str(out))
    (out / ".nojekyll").touch()
    info = dict(pages=len(nbs), seconds=round(time.time() - t0, 1), out=str(out))
    (out / "build_info.json").write_text(json.dumps({**info, "docs": [p["doc"] for p in plan["pages"] if p["doc"] in nbs]}))
    print(f"build_docs: {info['pages']} pages in {info['seconds']}s -> {out}", file=sys.stderr)
    return info

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(ROOT / "_docs"), help="output folder (default: _docs)")
    p.add_argument("--only", nargs="*", help="build only these pages (doc names or notebook paths)")
    p.add_argument("--strict", action="store_true", help="treat Sphinx warnings as errors")
    a = p.parse_args(argv)
    build(Path(a.out), a.only, a.strict)

if __name__ == "__main__": main()
