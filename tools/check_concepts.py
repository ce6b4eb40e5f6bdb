#!/usr/bin/env python3
"""Check the concept inventory data/concepts/*.tsv against data/README.md.

    python3 tools/check_concepts.py            # all files
    python3 tools/check_concepts.py FILE...    # some files (ids are still checked across all)

Checks: the header, 8 columns per row, unique ids, known types, code systems and code shapes,
every icd10cm:/icd10: code present in the shipped tables, no cedilla letters, parents that exist.
Prints counts per type and every problem; exits 1 when there is a problem.
"""
import re
import sys
from collections import Counter
from pathlib import Path

from tsv_rows import rows as rows_of

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["id", "type", "label", "codes", "ro", "ro_abbr", "parent", "source"]
TYPES = {"disorder", "sign_symptom", "anatomy", "procedure", "test", "drug", "organism", "lab", "vital"}
SHAPES = {
    "icd10cm": re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?"),
    "icd10": re.compile(r"[A-Z][0-9][0-9](\.[0-9])?"),
    "loinc": re.compile(r"[0-9]{1,7}-[0-9]"),
    "atc": re.compile(r"[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?"),
    "ncbitaxon": re.compile(r"[0-9]+"),
}


def codes(path):
    return {l.split("\t", 1)[0] for l in path.read_text(encoding="utf-8").splitlines()
            if l and not l.startswith("#") and not l.startswith("code\t")}


def main(args):
    icd10cm = codes(ROOT / "data/icd10cm/codes.tsv")
    icd10 = codes(ROOT / "data/icd10who/codes.tsv")
    files = sorted((ROOT / "data/concepts").glob("*.tsv"))
    chosen = {Path(a).resolve() for a in args} or set(files)
    problems, rows, seen = [], [], {}
    for f, where, cols in rows_of(files, HEADER, problems):
        cid = cols[0]
        if cid in seen:
            problems.append(f"{where}: id {cid} already used at {seen[cid]}")
        seen[cid] = where
        rows.append((f.resolve(), where, cols))
    for f, where, (cid, ctype, label, code_col, ro, abbr, parent, _src) in rows:
        if f not in chosen:
            continue
        if not re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", cid):
            problems.append(f"{where}: id {cid!r} is not snake_case ASCII")
        if ctype not in TYPES:
            problems.append(f"{where}: type {ctype!r}")
        if not label or not ro:
            problems.append(f"{where}: label and ro are required")
        if re.search("[şţŞŢ]", ro + abbr):
            problems.append(f"{where}: cedilla letter; use ș ț")
        if any(not t.strip() or t != t.strip() for t in ro.split("|")):
            problems.append(f"{where}: empty or padded term in ro")
        for code in code_col.split():
            system, _, value = code.partition(":")
            shape = SHAPES.get(system)
            if shape is None or not shape.fullmatch(value):
                problems.append(f"{where}: bad code {code!r}")
            elif system == "icd10cm" and value not in icd10cm:
                problems.append(f"{where}: {code} not in data/icd10cm/codes.tsv")
            elif system == "icd10" and value not in icd10:
                problems.append(f"{where}: {code} not in data/icd10who/codes.tsv")
        if parent and parent not in seen:
            problems.append(f"{where}: parent {parent} is not an id")
    for p in problems:
        print(p)
    counts = Counter(cols[1] for f, _, cols in rows)
    print("concepts per type:", dict(sorted(counts.items())), "total", len(rows))
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
