#!/usr/bin/env python3
"""Validates casus FHIR output with an independent implementation of FHIR R4 (4.0.1).

The structural validator is the PyPI package `fhir.resources` 6.4.0: the 6.x line models FHIR R4
4.0.1 (`fhir.resources.__fhir_version__ == "4.0.1"`); 6.5.0 already moved to R4B (4.3.0) and 7.x
and later default to R5, with R4B — not R4 — as a subpackage. It checks every element name,
datatype and cardinality of the Bundle and of each resource in it (with pydantic 1.x).

It does not check required value-set bindings or invariants, so this script adds the ones the
casus mapping relies on: the status codes, Condition clinical/verification status, v3
interpretation codes, references that resolve inside the Bundle, UCUM quantities with a system,
obs-6/obs-7, and the shape of the casus text-span extension.

Usage:
  fhir_validate.py FILE...   each FILE a JSON Bundle or NDJSON of Bundles (batch --format fhir-ndjson;
                             lines that are {"id", "error"} records are counted, not validated)
Exit 0 when every Bundle is valid; prints 'N passed, N failed'.
"""

import json
import sys

import fhir.resources
from fhir.resources.bundle import Bundle

SPAN_URL = "https://example.invalid/casus/fhir/StructureDefinition/text-span"
RELATIVE_TIME_URL = "https://example.invalid/casus/fhir/StructureDefinition/relative-time"
KNOWN_SYSTEMS = {
    "http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10", "http://loinc.org",
    "http://unitsofmeasure.org", "http://www.whocc.no/atc", "https://www.ncbi.nlm.nih.gov/taxonomy",
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
    "http://terminology.hl7.org/CodeSystem/observation-category",
    "http://terminology.hl7.org/CodeSystem/condition-category",
    "http://terminology.hl7.org/CodeSystem/condition-clinical",
    "http://terminology.hl7.org/CodeSystem/condition-ver-status",
    "http://terminology.hl7.org/CodeSystem/data-absent-reason",
    "http://terminology.hl7.org/CodeSystem/v2-0074",
}
# Required bindings (FHIR R4 4.0.1 value sets).
STATUS = {
    "Observation": {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"},
    "MedicationStatement": {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"},
    "Procedure": {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error", "unknown"},
    "DiagnosticReport": {"registered", "partial", "preliminary", "final", "amended", "corrected", "appended", "cancelled", "entered-in-error", "unknown"},
}
CLINICAL = {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
VERIFICATION = {"unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"}
INTERPRETATION = {"L", "N", "H", "LL", "HH", "A", "AA", "<", ">", "POS", "NEG", "IND"}
GENDER = {"male", "female", "other", "unknown"}


def problems_of(bundle):
    """Problems the structural validator does not see, as strings."""
    problems = []
    if bundle.get("type") != "collection":
        problems.append(f"Bundle.type {bundle.get('type')!r}, expected collection")
    urls = {entry.get("fullUrl") for entry in bundle.get("entry", [])}
    for index, entry in enumerate(bundle.get("entry", [])):
        resource = entry["resource"]
        kind = resource["resourceType"]
        where = f"entry {index} ({kind})"
        if entry.get("fullUrl") != f"urn:uuid:{resource.get('id')}":
            problems.append(f"{where}: fullUrl does not name the resource id")
        if kind in STATUS and resource.get("status") not in STATUS[kind]:
            problems.append(f"{where}: status {resource.get('status')!r} not in the required value set")
        if kind == "Patient" and "gender" in resource and resource["gender"] not in GENDER:
            problems.append(f"{where}: gender {resource['gender']!r}")
        if kind == "Condition":
            clinical = [c["code"] for c in resource.get("clinicalStatus", {}).get("coding", [])]
            verification = [c["code"] for c in resource.get("verificationStatus", {}).get("coding", [])]
            if any(c not in CLINICAL for c in clinical) or any(v not in VERIFICATION for v in verification):
                problems.append(f"{where}: clinical {clinical} / verification {verification} outside their value sets")
        if kind == "Observation":
            has_value = any(key.startswith("value") for key in resource)
            if has_value and "dataAbsentReason" in resource:
                problems.append(f"{where}: obs-6: dataAbsentReason with a value")
            codes = {c.get("code") for c in resource.get("code", {}).get("coding", [])}
            for component in resource.get("component", []):
                if codes & {c.get("code") for c in component.get("code", {}).get("coding", [])} and has_value:
                    problems.append(f"{where}: obs-7: a component repeats the code and the value is present")
            for interpretation in resource.get("interpretation", []):
                for coding in interpretation.get("coding", []):
                    if coding.get("code") not in INTERPRETATION:
                        problems.append(f"{where}: interpretation {coding.get('code')!r}")
        for extension in resource.get("extension", []):
            if extension["url"] == SPAN_URL:
                parts = {e["url"]: e.get("valueInteger") for e in extension.get("extension", [])}
                if set(parts) != {"start", "end"} or not (0 <= parts["start"] <= parts["end"]):
                    problems.append(f"{where}: malformed text-span extension {parts}")
            elif extension["url"] != RELATIVE_TIME_URL:
                problems.append(f"{where}: unknown extension {extension['url']}")
        walk(resource, where, urls, problems)
    return problems


def walk(value, where, urls, problems):
    """References resolve inside the Bundle; codings name a known system; coded quantities name UCUM."""
    if isinstance(value, dict):
        if "reference" in value and value["reference"] not in urls:
            problems.append(f"{where}: reference {value['reference']} resolves to no entry")
        if "system" in value and value["system"] not in KNOWN_SYSTEMS:
            problems.append(f"{where}: unknown system {value['system']}")
        if "value" in value and "code" in value and isinstance(value.get("value"), (int, float)):
            if value.get("system") != "http://unitsofmeasure.org":
                problems.append(f"{where}: qty-3: a coded quantity without the UCUM system")
        for child in value.values():
            walk(child, where, urls, problems)
    elif isinstance(value, list):
        for child in value:
            walk(child, where, urls, problems)


def bundles(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        yield path, json.loads(text)
        return
    except json.JSONDecodeError:
        pass
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield f"{path}:{number}", json.loads(line)


def self_test(bundle):
    """The added checks catch what they claim to (a broken copy of the first valid Bundle fails)."""
    broken = json.loads(json.dumps(bundle))
    entry = broken["entry"][-1]["resource"]
    entry["status"] = "bogus" if "status" in entry else entry.get("status")
    entry["subject"] = {"reference": "urn:uuid:00000000-0000-8000-8000-000000000000"}
    problems = problems_of(broken)
    if not any("reference" in p for p in problems):
        sys.exit(f"fhir_validate: self-test failed, a dangling reference was not reported: {problems}")


def main(paths):
    if fhir.resources.__fhir_version__ != "4.0.1":
        sys.exit(f"fhir.resources models FHIR {fhir.resources.__fhir_version__}, not R4 4.0.1: install fhir.resources==6.4.0")
    if not paths:
        sys.exit(__doc__)
    passed = failed = errors = resources = 0
    for path in paths:
        for where, value in bundles(path):
            if set(value) == {"id", "error"}:
                errors += 1
                continue
            try:
                Bundle.parse_obj(value)
                problems = problems_of(value)
            except Exception as err:  # pydantic's ValidationError, with every path that failed
                problems = [str(err)]
            if problems:
                failed += 1
                print(f"FAIL {where}:")
                for problem in problems[:20]:
                    print(f"  {problem}")
            else:
                if passed == 0 and len(value.get("entry", [])) > 1:
                    self_test(value)
                passed += 1
                resources += len(value.get("entry", []))
    print(f"fhir: {resources} resources in valid Bundles; {errors} error records skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
