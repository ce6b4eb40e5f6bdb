#!/usr/bin/env python3
"""The web viewer in headless Chromium, against a real `casus serve`.

Starts the server on a free port, loads the viewer with the seed case in the URL fragment
(`/#text=…`, which the viewer analyses on load), dumps the DOM after the page settles and checks
the highlights and panels; then the same blind (the "hide the diagnosis" switch) and in English;
saves a screenshot; stops the server with SIGTERM and checks that it shut down cleanly.

Usage: python3 tools/viewer_test.py [--casus target/release/casus] [--screenshot target/viewer-seed.png]
Needs: chromium (Debian package `chromium`). Standard library only.
"""

import argparse
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "corpus", "dev", "seed-septic-shock.txt")


class Dom(html.parser.HTMLParser):
    """Elements as (tag, attrs, text inside), enough for the checks below."""

    def __init__(self):
        super().__init__()
        self.stack = []
        self.elements = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in ("meta", "link", "input", "br", "img", "circle", "line"):
            self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack:
            element = self.stack.pop()
            if element["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data

    def find(self, predicate):
        return [e for e in self.elements if predicate(e)]

    def by_id(self, ident):
        found = self.find(lambda e: e["attrs"].get("id") == ident)
        return found[0] if found else None

    def classes(self, element):
        return set((element["attrs"].get("class") or "").split())


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("viewer_test: chromium is not installed (apt-get install chromium)")


def chromium(args, url, profile):
    command = [
        chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}", "--virtual-time-budget=20000",
    ] + args + [url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"viewer_test: chromium failed ({result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


def start_server(casus):
    server = subprocess.Popen([casus, "serve", "--addr", "127.0.0.1:0"], stderr=subprocess.PIPE, text=True)
    line = server.stderr.readline()
    match = re.search(r"http://(127\.0\.0\.1:\d+)", line)
    if not match:
        server.kill()
        sys.exit(f"viewer_test: the server did not say where it listens: {line!r}")
    base = f"http://{match.group(1)}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as reply:
                if reply.status == 200:
                    return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("viewer_test: the server never answered /health")


failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


def panel_text(dom, name):
    element = dom.by_id(f"panel-{name}")
    return element["text"] if element else ""


def panel_body(dom, name):
    """The panel's text without its title."""
    index = next(i for i, e in enumerate(dom.elements) if e["attrs"].get("id") == f"panel-{name}")
    title = next(e for e in dom.elements[index:] if e["tag"] == "h2")
    return dom.elements[index]["text"][len(title["text"]):].strip()


def full_analysis(analysis):
    """The seed's analysis with the lists today's extractors leave empty filled by hand, each item
    on a span of the text, to see every panel drawn with content."""
    full = json.loads(json.dumps(analysis))
    entity = {e["text"]: e for e in analysis["entities"]}
    full["medications"] = [
        {"id": "md1", "entity": entity["ceftriaxonă"]["id"], "route": "intravenous", "dose": {"value": 2, "unit": "g"},
         "frequency": "once daily", "time": "P1D", "status": "active"},
        {"id": "md2", "entity": entity["diclofenac"]["id"], "route": "intramuscular", "dose": None, "frequency": None,
         "time": "-P10D", "status": "completed"},
    ]
    full["timeline"] = [event for event in full["timeline"] if not event["medications"]]
    full["timeline"] += [
        {"id": "tx1", "start": "-P10D", "day": -10.0, "approximate": False, "spans": [], "entities": [], "medications": ["md2"]},
        {"id": "tx2", "start": "P1D", "day": 1.0, "approximate": False, "spans": [], "entities": [], "medications": ["md1"]},
    ]
    full["microbiology"] = [{"id": "mb1", "organism": {"id": "escherichia_coli", "label": "Escherichia coli",
                             "codes": {"ncbitaxon": ["562"]}}, "specimen": "blood", "result": "positive",
                             "span": entity["hemoculturi"]["span"]}]
    full["diagnoses"] = [{"id": "d1", "source": "stated", "span": entity["Șoc septic"]["span"], "text": "Șoc septic",
                          "concept": {"id": "septic_shock", "label": "Septic shock", "codes": {"icd10cm": ["R65.21"]}},
                          "role": "principal", "certainty": "confirmed", "due_to": []}]
    full["scores"] = [{"name": "qSOFA", "value": 1, "max": 3, "complete": False, "interpretation": "fixture",
                       "criteria": [{"name": "systolic BP <= 100 mmHg", "met": True, "evidence": [[439, 447]]},
                                    {"name": "respiratory rate >= 22/min", "met": None, "evidence": []},
                                    {"name": "altered mentation", "met": False, "evidence": []}]}]
    full["differential"] = [{"rank": 1, "concept": {"id": "sepsis", "label": "Sepsis", "codes": {"icd10cm": ["A41.9"]}},
                             "score": 0.81, "supporting": [{"finding": "hypotension", "weight": 1.5, "evidence": [[439, 447]]}],
                             "against": [], "missing": [{"finding": "lactate", "weight": 0.5, "evidence": []}]}]
    full["warnings"] = [{"kind": "ambiguous_number", "message": "fixture warning", "span": None}]
    heart = next(m for m in full["measurements"] if m["concept"]["id"] == "heart_rate")
    heart.update({"interpretation": "high", "reference": {"low": 60, "high": 100, "unit": "/min", "source": "fixture"}})
    return full


def full_panels(base, seed, analysis, profile, screenshot):
    """The viewer's script, loaded from the server into a copy of its page whose fetch answers
    with a hand-filled analysis: every panel drawn with content."""
    with urllib.request.urlopen(base + "/", timeout=10) as reply:
        page = reply.read().decode("utf-8")
    request = urllib.request.Request(base + "/v1/code", data=seed.encode(), headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        codes = json.load(reply)
    folder = tempfile.mkdtemp(prefix="casus-viewer-")
    with open(os.path.join(folder, "stub.js"), "w", encoding="utf-8") as f:
        f.write("const ANALYSIS = %s;\nconst CODES = %s;\n" % (json.dumps(full_analysis(analysis)), json.dumps(codes)))
        f.write("window.fetch = async (url) => ({ ok: true, status: 200, json: async () => (String(url).includes('/v1/code') ? CODES : ANALYSIS) });\n")
    page = page.replace('"/assets/', f'"{base}/assets/')
    page = page.replace(f'<script src="{base}/assets/viewer.js"', f'<script src="stub.js"></script>\n<script src="{base}/assets/viewer.js"')
    with open(os.path.join(folder, "index.html"), "w", encoding="utf-8") as f:
        f.write(page)
    fragment = urllib.parse.urlencode({"text": seed, "lang": "en"}, quote_via=urllib.parse.quote)
    url = f"file://{folder}/index.html#{fragment}"
    dom = Dom()
    dom.feed(chromium(["--allow-file-access-from-files", "--dump-dom"], url, profile))
    check(dom.find(lambda e: e["tag"] == "body")[0]["attrs"].get("data-state") == "analysed", "full: the page drew the hand-filled analysis")
    meds = panel_body(dom, "medications")
    check("J01DD04" in meds and "intravenous" in meds and "-P10D" in meds, "full: medications with ATC, route, time")
    days = sorted(float(e["attrs"]["data-days"]) for e in dom.find(lambda e: e["tag"] == "g" and "data-days" in e["attrs"]))
    check(days == [-14.0, -10.0, 1.0], f"full: timeline items at day -14, -10 and 1 ({days})")
    marks = {c for e in dom.elements for c in dom.classes(e) if c.startswith("crit-")}
    check(marks == {"crit-met", "crit-not", "crit-unknown"}, f"full: score criteria met / not met / unknown ({sorted(marks)})")
    check("R65.21" in panel_body(dom, "diagnoses") and "confirmed" in panel_body(dom, "diagnoses"), "full: stated diagnosis with its code")
    differential = panel_body(dom, "differential")
    check("Sepsis" in differential and "hypotension" in differential and "lactate" in differential, "full: differential with its findings")
    evidence = [e for e in dom.find(lambda e: "jump" in dom.classes(e)) if e["text"] == "hypotension"]
    check(bool(evidence) and evidence[0]["attrs"].get("data-span") == "439-447", "full: evidence links carry their span")
    flags = [e for e in dom.elements if "flag" in dom.classes(e)]
    check(any(e["text"] == "H" for e in flags) and "60–100 /min" in panel_body(dom, "measurements"), "full: flag H and reference range")
    check("Escherichia coli" in panel_body(dom, "microbiology"), "full: microbiology")
    check("fixture warning" in panel_body(dom, "warnings"), "full: warnings")
    check("none found" not in dom.by_id("result")["text"], "full: no panel says 'none found'")
    chromium([f"--screenshot={screenshot}", "--allow-file-access-from-files", "--window-size=1500,2300"], url, profile)
    shutil.rmtree(folder, ignore_errors=True)


def html_report(casus, profile):
    """`casus analyze --format html`: one file that draws its analysis offline, without a server."""
    folder = tempfile.mkdtemp(prefix="casus-report-")
    page = os.path.join(folder, "seed.html")
    with open(page, "wb") as out:
        subprocess.run([casus, "analyze", SEED, "--format", "html"], stdout=out, check=True)
    dom = Dom()
    dom.feed(chromium(["--dump-dom"], f"file://{page}#lang=en", profile))
    check(dom.find(lambda e: e["tag"] == "body")[0]["attrs"].get("data-state") == "analysed", "report: the page drew its embedded analysis")
    check("hidden" in dom.by_id("input-area")["attrs"], "report: no input area (a report does not analyse again)")
    spans = dom.find(lambda e: "ent" in dom.classes(e) and e["attrs"].get("data-start") is not None)
    check(len(spans) >= 40, f"report: the text carries highlights ({len(spans)})")
    check("R65.21" in panel_text(dom, "diagnoses") and "Heart rate" in panel_text(dom, "measurements"), "report: diagnoses and vitals panels")
    days = sorted(float(e["attrs"]["data-days"]) for e in dom.find(lambda e: e["tag"] == "g" and "data-days" in e["attrs"]))
    check(days == [-14.0, -10.0], f"report: the timeline ({days})")
    shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--casus", default=os.path.join(ROOT, "target", "release", "casus"))
    parser.add_argument("--screenshot", default=os.path.join(ROOT, "target", "viewer-seed.png"))
    args = parser.parse_args()
    with open(SEED, encoding="utf-8") as f:
        seed = f.read()
    server, base = start_server(args.casus)
    profile = tempfile.mkdtemp(prefix="casus-chromium-")
    try:
        fragment = urllib.parse.urlencode({"text": seed}, quote_via=urllib.parse.quote)
        url = f"{base}/#{fragment}"

        dom = Dom()
        dom.feed(chromium(["--dump-dom"], url, profile))
        body = dom.find(lambda e: e["tag"] == "body")[0]
        check(body["attrs"].get("data-state") == "analysed", "the page analysed the seed (body data-state=analysed)")
        check(dom.find(lambda e: e["tag"] == "html")[0]["attrs"].get("lang") == "ro", "Romanian interface by default")
        check("Pacientul" in panel_text(dom, "patient"), "panel titles in Romanian")
        spans = dom.find(lambda e: "ent" in dom.classes(e) and e["attrs"].get("data-start") is not None)
        types = {e["attrs"].get("data-type") for e in spans}
        check(len(spans) >= 40, f"the text carries highlights ({len(spans)} highlighted pieces)")
        check({"disorder", "sign_symptom", "anatomy", "measurement"} <= types, f"highlight types {sorted(types)}")
        negated = [e for e in spans if "negated" in dom.classes(e)]
        check(any("murmur" in e["text"] for e in negated), "the negated 'murmur' is struck through (class negated)")
        uncertain = [e for e in spans if "uncertain" in dom.classes(e)]
        check(any("spondilodiscita" in e["text"] for e in uncertain), "the uncertain 'spondilodiscita' is marked uncertain")
        septic = [e for e in spans if "Șoc septic" in e["text"]]
        check(bool(septic) and "R65.21" in septic[0]["attrs"].get("title", ""), "hover title of 'Șoc septic' shows R65.21")
        check("47" in panel_text(dom, "patient") and "masculin" in panel_text(dom, "patient"), "patient panel: 47 years, male")
        rows = dom.find(lambda e: e["tag"] == "tr" and e["attrs"].get("data-kind") in ("vital", "lab"))
        check(len(rows) >= 5, f"vitals and labs table has rows ({len(rows)})")
        check("Heart rate" in panel_text(dom, "measurements"), "heart rate in the vitals panel")
        parts = [e["text"] for e in dom.find(lambda e: e["tag"] == "tr" and "component" in dom.classes(e))]
        check(any("Systolic" in p and "80" in p and "L" in p for p in parts), f"blood pressure shows its flagged components ({parts})")
        check(bool(dom.find(lambda e: e["tag"] == "svg" and "timeline" in dom.classes(e))), "the timeline is an SVG")
        days = sorted(float(e["attrs"]["data-days"]) for e in dom.find(lambda e: e["tag"] == "g" and "data-days" in e["attrs"]))
        check(days == [-14.0, -10.0], f"seed timeline: symptoms two weeks before, injections ten days before ({days})")
        check("R65.21" in panel_text(dom, "codes") and "M46.47" in panel_text(dom, "codes"), "codes panel ranks R65.21 and M46.47")
        # Each list panel shows its items, or says "nimic găsit" when the analysis list is empty.
        request = urllib.request.Request(base + "/v1/analyze", data=seed.encode(), headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            analysis = json.load(reply)
        for name in ("medications", "microbiology", "scores", "diagnoses", "differential", "warnings"):
            body = panel_body(dom, name)
            if analysis[name]:
                check(body and "nimic găsit" not in body, f"panel {name} lists its {len(analysis[name])} items")
            else:
                check(body == "nimic găsit", f"panel {name}: empty list shows 'nimic găsit' ({body!r})")
        codes = panel_body(dom, "codes")
        check("[object" not in codes and re.search(r"\[\d+–\d+\]", codes), "code evidence links read [start–end]")
        jumps = dom.find(lambda e: "jump" in dom.classes(e))
        check(len(jumps) >= 10, f"evidence links that scroll to their spans ({len(jumps)})")

        blind = Dom()
        blind.feed(chromium(["--dump-dom"], f"{url}&blind=1&lang=en", profile))
        # In English throughout: no Romanian interface words, whatever the panels hold.
        check("Patient" in panel_text(blind, "patient") and "nimic găsit" not in blind.by_id("result")["text"],
              "English interface")
        blind_spans = blind.find(lambda e: "ent" in blind.classes(e) and "Șoc septic" in e["text"])
        check(not blind_spans, "blind: the stated 'Șoc septic' is not highlighted")
        check("R65.21" not in panel_text(blind, "codes"), "blind: R65.21 (stated only in the diagnosis) is not coded")

        html_report(args.casus, profile)
        full_panels(base, seed, analysis, profile, os.path.join(os.path.dirname(args.screenshot), "viewer-full.png"))

        os.makedirs(os.path.dirname(args.screenshot), exist_ok=True)
        if os.path.exists(args.screenshot):
            os.remove(args.screenshot)
        chromium([f"--screenshot={args.screenshot}", "--window-size=1500,2300"], f"{url}&lang=en", profile)
        check(os.path.getsize(args.screenshot) > 50_000, f"screenshot saved to {args.screenshot}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            code = None
        shutil.rmtree(profile, ignore_errors=True)
    check(code == 0, f"SIGTERM: the server shut down cleanly (exit {code})")
    print(f"viewer: {len(failures)} failed checks" + ("" if failures else ", all passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
