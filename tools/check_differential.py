#!/usr/bin/env python3
"""Check the differential knowledge base data/differential/*.tsv against data/README.md.

    python3 tools/check_differential.py            # all files
    python3 tools/check_differential.py --list     # also print the finding vocabulary in use

Each row is one disease: `disease prior cant_miss findings source`.
- disease: the id of a `disorder` concept of data/concepts/*.tsv that carries an ICD-10-CM code
  present in data/icd10cm/codes.tsv; each disease once across all files.
- prior: 1..5, how often the disease is the answer among presentations that raise it
  (1 rare, 2 uncommon, 3 occasional, 4 common, 5 very common).
- cant_miss: yes | no (a disease that kills or maims when missed and has a treatment).
- findings: `;`-separated items `FINDING EV/FQ`, EV the evoking strength 0..5 and FQ the
  frequency 1..5 on the INTERNIST-1 scales (Miller, Pople, Myers, NEJM 1982;307:468-76).
  FINDING is one of
    <concept id>                 a mention of that concept (or a descendant) asserted for the patient
    <lab or vital id>:<state>    a measurement read as high|low|critical_high|critical_low|abnormal|
                                 positive|negative (lab/vital concept ids only)
    score:<name>                 a score or criterion the reasoning stage computes (SCORES below)
    micro:<specimen>             a positive culture from that specimen (SPECIMENS below)
    age>=N | age<N               the patient's age in years
    sex=male | sex=female
  At least 4 findings, at least one with EV >= 3, no finding twice.
- source: where the disease's findings come from (textbook chapter, guideline, review).

Prints counts and every problem; exits 1 when there is a problem.
"""
import re
import sys
from collections import Counter
from pathlib import Path

from tsv_rows import rows as rows_of

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["disease", "prior", "cant_miss", "findings", "source"]
STATES = {"high", "low", "critical_high", "critical_low", "abnormal", "positive", "negative"}
SCORES = {
    "sirs",  # >= 2 SIRS criteria (Bone et al., Chest 1992)
    "qsofa",  # qSOFA >= 2 (Seymour et al., JAMA 2016)
    "septic_shock",  # Sepsis-3 septic shock: vasopressors for MAP >= 65 (lactate > 2 when known)
    "shock_index_high",  # heart rate / systolic BP >= 1.0
    "map_low",  # mean arterial pressure < 65 mmHg
    "news2_high",  # NEWS2 >= 7 (RCP 2017)
    "news2_medium",  # NEWS2 >= 5
    "curb65_high",  # CURB-65 >= 3 (Lim et al., Thorax 2003)
    "gcs_low",  # GCS <= 8
    "egfr_low",  # eGFR (CKD-EPI 2021) < 60 mL/min/1.73 m2
    "anion_gap_high",  # anion gap > 12 mmol/L
    "aki",  # KDIGO acute kidney injury
    "wells_pe_likely",  # Wells PE > 4
    "wells_dvt_likely",  # Wells DVT >= 2
}
SPECIMENS = {"blood", "urine", "csf", "sputum", "pus", "wound", "stool", "pleural_fluid", "ascitic_fluid",
             "synovial_fluid", "bal", "throat", "tissue", "catheter"}
ITEM = re.compile(r"(?P<finding>\S+) (?P<ev>[0-5])/(?P<fq>[1-5])")


def concepts():
    """id -> (type, has a known ICD-10-CM code)."""
    icd10cm = {l.split("\t", 1)[0] for l in (ROOT / "data/icd10cm/codes.tsv").read_text(encoding="utf-8").splitlines()
               if l and not l.startswith("#")}
    found = {}
    for f in sorted((ROOT / "data/concepts").glob("*.tsv")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#") or line.startswith("id\t"):
                continue
            cols = line.split("\t")
            codes = [c.split(":", 1)[1] for c in cols[3].split() if c.startswith("icd10cm:")]
            found[cols[0]] = (cols[1], any(c in icd10cm for c in codes))
    return found


def check_finding(finding, known):
    if finding.startswith("score:"):
        return None if finding[6:] in SCORES else f"unknown score {finding[6:]!r} (known: {sorted(SCORES)})"
    if finding.startswith("micro:"):
        return None if finding[6:] in SPECIMENS else f"unknown specimen {finding[6:]!r}"
    if re.fullmatch(r"age(>=|<)[0-9]{1,3}", finding) or finding in ("sex=male", "sex=female"):
        return None
    if ":" in finding:
        cid, state = finding.split(":", 1)
        if state not in STATES:
            return f"unknown measurement state {state!r}"
        if known.get(cid, ("",))[0] not in ("lab", "vital"):
            return f"{cid!r} is not a lab or vital concept"
        return None
    if finding not in known:
        return f"unknown concept {finding!r}"
    if known[finding][0] in ("lab", "vital"):
        return f"{finding!r} is a lab or vital: say its state ({finding}:high, …)"
    return None


def main(args):
    known = concepts()
    problems, seen, uses = [], {}, Counter()
    files = sorted((ROOT / "data/differential").glob("*.tsv"))
    if not files:
        problems.append("no data/differential/*.tsv")
    rows = 0
    for _, where, cols in rows_of(files, HEADER, problems):
        disease, prior, cant_miss, findings, source = cols
        rows += 1
        if disease in seen:
            problems.append(f"{where}: disease {disease} already at {seen[disease]}")
        seen[disease] = where
        kind, coded = known.get(disease, (None, False))
        if kind != "disorder":
            problems.append(f"{where}: {disease!r} is not a disorder concept")
        elif not coded:
            problems.append(f"{where}: {disease!r} has no ICD-10-CM code in the shipped table")
        if prior not in {"1", "2", "3", "4", "5"}:
            problems.append(f"{where}: prior {prior!r} is not 1..5")
        if cant_miss not in {"yes", "no"}:
            problems.append(f"{where}: cant_miss {cant_miss!r} is not yes|no")
        if not source.strip():
            problems.append(f"{where}: no source")
        items = [i.strip() for i in findings.split(";") if i.strip()]
        names = []
        for item in items:
            m = ITEM.fullmatch(item)
            if not m:
                problems.append(f"{where}: {item!r} is not 'FINDING EV/FQ'")
                continue
            names.append(m["finding"])
            uses[m["finding"]] += 1
            problem = check_finding(m["finding"], known)
            if problem:
                problems.append(f"{where}: {problem}")
            if m["finding"] == disease:
                problems.append(f"{where}: a disease is not its own finding")
        if len(names) < 4:
            problems.append(f"{where}: {len(names)} findings, want at least 4")
        if len(set(names)) != len(names):
            problems.append(f"{where}: a finding is listed twice")
        if items and not any(ITEM.fullmatch(i) and int(ITEM.fullmatch(i)["ev"]) >= 3 for i in items):
            problems.append(f"{where}: no finding with EV >= 3: nothing evokes this disease")
    for p in problems:
        print(p)
    print(f"{rows} diseases in {len(files)} files, {len(uses)} distinct findings, {len(problems)} problems")
    if "--list" in args:
        for finding, count in uses.most_common():
            print(f"{count}\t{finding}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
