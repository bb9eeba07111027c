"""Browser test of the built site (`make docs-test`): every page in headless Chromium, with no network.

The site in `_docs/` is served on 127.0.0.1; every request to anywhere else is blocked and counts as a
failure (the site must work offline: no CDN). For every page it fails on

- a JavaScript error (uncaught exception or `console.error`), or a request that failed or returned >= 400;
- an image that did not load (`naturalWidth == 0`);
- a widget that did not render: each stored widget view (`<script type="application/vnd.jupyter.widget-view+json">`)
  must have become a live `.jupyter-widgets` element, with no "Error displaying widget";
- math that MathJax did not typeset.

Then it checks that the static trace explorer responds without a kernel (choosing another fact, and another
kind, changes the image shown), that the search page finds a chapter, and saves screenshots of the home page,
the tracing chapter and the trace explorer under `_docs/screenshots/` (`make screenshots` refreshes the committed
ones in `docs/screenshots/`).

Chromium: Debian's `chromium` package (`apt-get install -y chromium`), driven by Playwright
(`playwright install` is not needed). Usage: `python tools/docs_test.py [--site _docs] [--chromium PATH]`.
"""
from __future__ import annotations
import argparse, functools, http.server, json, shutil, socketserver, sys, threading, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

def serve(site: Path):
    "Serve `site` on a free local port in a thread; returns (server, base URL)."
    handler = functools.partial(_Quiet, directory=str(site))
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}/"

CHECK_JS = """() => {
  const broken = Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'));
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
  const rendered = document.querySelectorAll('.widget-subarea > .jupyter-widgets, .widget-subarea > .lm-Widget').length;
  const errors = Array.from(document.querySelectorAll('.widget-subarea')).filter(e => /Error displaying widget/.test(e.textContent)).length;
  const math = document.querySelectorAll('div.math, span.math').length;
  const typeset = document.querySelectorAll('mjx-container').length;
  return {broken, views, rendered, errors, math, typeset, title: document.title};
}"""

def _visible_img(page, root: str) -> str | None:
    "src of the explorer's visible image (the Stack shows only its selected child)."
    return page.evaluate("""(root) => {
      const imgs = Array.from(document.querySelectorAll(root + ' img')).filter(i => i.offsetParent !== null && i.naturalWidth > 0);
      return imgs.length ? imgs[0].src.slice(-64) + '#' + imgs.length : null; }""", root)

def check_explorer(page) -> list[str]:
    "Move the static explorer's controls; the image shown must change each time."
    root = ".rome-explorer"
    fails = []
    if not page.query_selector(root): return [f"no {root} widget on the page"]
    before = _visible_img(page, root)
    if before is None: return ["the explorer shows no image"]
    select = page.query_selector(f"{root} select")
    if select is None: return ["the explorer has no fact dropdown"]
    options = select.eval_on_selector_all("option", "os => os.map(o => o.value)")
    if len(options) < 2: return [f"the explorer's dropdown has {len(options)} option(s)"]
    select.select_option(options[1])
    page.wait_for_timeout(300)
    after_fact = _visible_img(page, root)
    if after_fact in (None, before): fails.append(f"choosing another fact did not change the figure ({before} -> {after_fact})")
    buttons = page.query_selector_all(f"{root} .widget-toggle-buttons button")
    if len(buttons) < 2: fails.append("the explorer has no kind buttons")
    else:
        buttons[1].click()
        page.wait_for_timeout(300)
        after_kind = _visible_img(page, root)
        if after_kind in (None, after_fact): fails.append(f"choosing another kind did not change the figure ({after_fact} -> {after_kind})")
    return fails

def run(site: Path, chromium: str, shots: Path) -> int:
    from playwright.sync_api import sync_playwright
    info = json.loads((site / "build_info.json").read_text())
    docs = info["docs"]
    srv, base = serve(site)
    failures, t0 = {}, time.time()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        for doc in docs + ["search", "genindex"]:
            page, errs = ctx.new_page(), []
            page.on("pageerror", lambda e, errs=errs: errs.append(f"JS error: {e}"))
            page.on("console", lambda m, errs=errs: errs.append(f"console.error: {m.text}") if m.type == "error" else None)
            page.on("requestfailed", lambda r, errs=errs: errs.append(f"request failed: {r.url} ({r.failure})"))
            page.on("response", lambda r, errs=errs: errs.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
            def route(r, errs=errs):
                if r.request.url.startswith(base) or r.request.url.startswith("data:"): return r.continue_()
                errs.append(f"external request (blocked; the site must work offline): {r.request.url}")
                return r.abort()
            page.route("**/*", route)
            page.goto(base + doc + ".html", wait_until="load")
            page.wait_for_timeout(500)
            # widgets render asynchronously after load: wait until every stored view is live
            for _ in range(40):
                s = page.evaluate(CHECK_JS)
                if s["rendered"] >= s["views"] and (s["typeset"] > 0 or s["math"] == 0): break
                page.wait_for_timeout(250)
            if s["broken"]: errs.append(f"images not loaded: {s['broken']}")
            if s["rendered"] < s["views"]: errs.append(f"widgets: {s['views']} stored views, {s['rendered']} rendered")
            if s["errors"]: errs.append(f"{s['errors']} widget(s) show 'Error displaying widget'")
            if s["math"] and not s["typeset"]: errs.append(f"{s['math']} math elements, none typeset by MathJax")
            if doc == "explorer" or page.query_selector(".rome-explorer"): errs += check_explorer(page)  # required on its page
            if doc in ("index", "tracing", "explorer"):  # the explorer after its controls were moved
                shots.mkdir(parents=True, exist_ok=True)
                name = "home" if doc == "index" else doc
                page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
                page.screenshot(path=str(shots / f"{name}_full.png"), full_page=True)
            print(f"docs_test: {doc}.html: {s['views']} widget views, {s['rendered']} rendered, "
                  f"{s['math']} math, {len(s['broken'])} broken images, {len(errs)} problem(s)", file=sys.stderr)
            if errs: failures[doc] = errs
            page.close()
        # the search index works offline
        page = ctx.new_page()
        page.goto(base + "search.html?q=tracing", wait_until="load")
        hits = 0
        for _ in range(40):
            hits = len(page.query_selector_all("#search-results li, ul.search li"))
            if hits: break
            page.wait_for_timeout(250)
        if not hits: failures["search"] = ["searching 'tracing' found nothing"]
        print(f"docs_test: search 'tracing': {hits} results", file=sys.stderr)
        browser.close()
    srv.shutdown()
    n = len(docs) + 2
    for doc, errs in failures.items():
        for e in errs: print(f"FAIL {doc}: {e}")
    print(f"docs_test: {n} pages in {time.time() - t0:.0f}s; screenshots in {shots}")
    print(f"{n + 1 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Load every page of the built site in headless Chromium, offline.")
    ap.add_argument("--site", default=str(ROOT / "_docs"))
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--screenshots", default=None, help="folder for the screenshots (default: <site>/screenshots, outside the repository's tracked files)")
    a = ap.parse_args(argv)
    site = Path(a.site)
    if not (site / "build_info.json").is_file(): sys.exit(f"docs_test: no built site in {site}: run `make docs` first")
    if not Path(a.chromium).exists(): sys.exit(f"docs_test: no Chromium at {a.chromium}: `apt-get install -y chromium`")
    return run(site, a.chromium, Path(a.screenshots) if a.screenshots else site / "screenshots")

if __name__ == "__main__": sys.exit(main())
