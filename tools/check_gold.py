#!/usr/bin/env python3
"""Check gold case files for well-formedness (not for clinical correctness: that is the reader's job).

    python3 tools/check_gold.py corpus/dev corpus/test

For every <name>.txt: <name>.ann and <name>.dx.json exist; every T line's offsets (Unicode code
points, end-exclusive) lie in the text and its text equals the fragments joined by one space;
types and attributes are the ones ANNOTATION.md allows; A, N and # lines point at existing T ids;
every icd10cm: code exists in data/icd10cm/codes.tsv; Vital and Lab entities carry a
`value=... unit=...` note; a `route=<route>` note sits on a Drug and names a route of the contract
(corpus/README.md). Exits 1 and lists every problem when anything is wrong.
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPES = {"Disorder", "Sign_Symptom", "Anatomy", "Procedure", "Test", "Drug", "Organism", "Vital", "Lab"}
ATTRS = {"Negated", "Uncertain", "Historical", "Hypothetical", "Family"}
SYSTEMS = {"icd10cm", "icd10", "loinc", "atc", "ncbitaxon", "casus"}
# The contract's medication routes (analysis.rs, data/ro/medication.tsv).
ROUTES = {"intravenous", "intramuscular", "oral", "subcutaneous", "inhalation", "topical", "rectal", "transdermal",
          "sublingual"}


def load_codes(path: Path) -> set:
    codes = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("code\t"):
            continue
        codes.add(line.split("\t", 1)[0])
    return codes


def check_case(txt: Path, icd10cm: set, icd10: set) -> list:
    problems = []
    text = txt.read_text(encoding="utf-8")
    ann = txt.with_suffix(".ann")
    dx = txt.with_name(txt.stem + ".dx.json")
    if not ann.exists():
        return [f"{txt}: missing {ann.name}"]
    if not dx.exists():
        problems.append(f"{txt}: missing {dx.name}")
    tids, measured, noted, drugs, routed = set(), set(), set(), set(), set()
    for n, line in enumerate(ann.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{ann}:{n}"
        if not line.strip():
            continue
        parts = line.split("\t")
        if line.startswith("T"):
            if len(parts) != 3:
                problems.append(f"{where}: T line needs 3 tab-separated fields")
                continue
            tid, head, surface = parts
            m = re.fullmatch(r"(\S+) (\d+ \d+(?:;\d+ \d+)*)", head)
            if not m:
                problems.append(f"{where}: bad type/offsets '{head}'")
                continue
            etype, offs = m.group(1), m.group(2)
            if etype not in TYPES:
                problems.append(f"{where}: unknown type {etype}")
            frags = [tuple(map(int, f.split())) for f in offs.split(";")]
            if any(s >= e or e > len(text) for s, e in frags):
                problems.append(f"{where}: offsets out of range or empty")
                continue
            if any(frags[i][1] > frags[i + 1][0] for i in range(len(frags) - 1)):
                problems.append(f"{where}: fragments overlap or are out of order")
            joined = " ".join(text[s:e] for s, e in frags)
            if joined != surface:
                problems.append(f"{where}: text is {joined!r}, line says {surface!r}")
            tids.add(tid)
            if etype in ("Vital", "Lab"):
                measured.add(tid)
            if etype == "Drug":
                drugs.add(tid)
        elif line.startswith("A"):
            bits = parts[1].split() if len(parts) > 1 else []
            if len(bits) != 2 or bits[0] not in ATTRS:
                problems.append(f"{where}: bad attribute line")
            elif bits[1] not in tids:
                problems.append(f"{where}: attribute on unknown {bits[1]}")
        elif line.startswith("N"):
            bits = parts[1].split() if len(parts) > 1 else []
            if len(bits) != 3 or bits[0] != "Reference" or bits[1] not in tids:
                problems.append(f"{where}: bad normalization line")
                continue
            system, _, code = bits[2].partition(":")
            if system not in SYSTEMS:
                problems.append(f"{where}: unknown code system {system}")
            if system == "icd10cm" and code not in icd10cm:
                problems.append(f"{where}: {code} is not in data/icd10cm/codes.tsv")
            if system == "icd10" and code not in icd10:
                problems.append(f"{where}: {code} is not in data/icd10who/codes.tsv")
        elif line.startswith("#"):
            bits = parts[1].split() if len(parts) > 1 else []
            if len(bits) != 2 or bits[0] != "AnnotatorNotes" or bits[1] not in tids:
                problems.append(f"{where}: bad note line")
                continue
            if bits[1] in measured:
                if not re.search(r"value=\S+ unit=\S*", parts[2] if len(parts) > 2 else ""):
                    problems.append(f"{where}: Vital/Lab note needs 'value=<number> unit=<unit>'")
                noted.add(bits[1])
            route = re.search(r"(?:^|\s)route=(\S*)", parts[2] if len(parts) > 2 else "")
            if route:
                if bits[1] not in drugs:
                    problems.append(f"{where}: a route= note belongs on a Drug, {bits[1]} is not one")
                elif route.group(1) not in ROUTES:
                    problems.append(f"{where}: unknown route {route.group(1)!r} (one of {', '.join(sorted(ROUTES))})")
                elif bits[1] in routed:
                    problems.append(f"{where}: {bits[1]} has a second route= note")
                routed.add(bits[1])
        else:
            problems.append(f"{where}: unknown line kind")
    for tid in sorted(measured - noted):
        problems.append(f"{ann}: {tid} is a Vital/Lab without a value=/unit= note")
    if dx.exists():
        try:
            data = json.loads(dx.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            return problems + [f"{dx}: not JSON: {err}"]
        final = data.get("final")
        if not isinstance(final, list) or not final:
            problems.append(f"{dx}: 'final' must be a non-empty list")
            final = []
        for item in final:
            for code in item.get("icd10cm", []):
                if code not in icd10cm:
                    problems.append(f"{dx}: {code} is not in data/icd10cm/codes.tsv")
            for cat in item.get("accept", []):
                if cat not in icd10cm:
                    problems.append(f"{dx}: accepted category {cat} is not in data/icd10cm/codes.tsv")
        end = data.get("blind_text_end")
        if end is not None and not (0 < end <= len(text)):
            problems.append(f"{dx}: blind_text_end {end} outside the text")
    return problems


def main(dirs) -> int:
    icd10cm = load_codes(ROOT / "data" / "icd10cm" / "codes.tsv")
    icd10 = load_codes(ROOT / "data" / "icd10who" / "codes.tsv")
    problems, cases = [], 0
    for d in dirs:
        for txt in sorted(Path(d).glob("*.txt")):
            cases += 1
            problems += check_case(txt, icd10cm, icd10)
    for p in problems:
        print(p)
    print(f"{cases} cases, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["corpus/dev", "corpus/test"]))
