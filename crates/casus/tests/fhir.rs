//! The FHIR R4 mapping (`export::fhir`) over the seed analysis with every contract list filled by
//! hand (medications, microbiology, stated diagnoses, scores, differential, interpreted
//! measurements), so that each mapping is tested before the extractors that fill them land.
//!
//! The Bundle is also written to `$CARGO_TARGET_TMPDIR/fhir-hand-built-bundle.json`, which CI
//! validates with the independent `fhir.resources` (R4 4.0.1) in `tools/fhir_validate.py`.

mod common;

use casus::analysis::Analysis;
use casus::export::fhir::{self, to_bundle};
use serde_json::{json, Value};

/// The seed's analysis with every list the extractors do not fill yet filled from what the
/// text says (each item cites the span it stands on).
fn full_analysis() -> Analysis {
    let text = common::seed();
    let analysis = common::engine().analyze(&text, &casus::Options::default()).unwrap();
    let mut value = serde_json::to_value(&analysis).unwrap();
    let entity_id = |needle: &str| {
        analysis.entities.iter().find(|e| e.text == needle).unwrap_or_else(|| panic!("no entity {needle}")).id.clone()
    };
    let span_of = |needle: &str| {
        let entity = analysis.entities.iter().find(|e| e.text == needle).unwrap();
        json!([entity.span.start, entity.span.end])
    };
    value["medications"] = json!([
        { "id": "md1", "entity": entity_id("ceftriaxonă"), "route": "intravenous",
          "dose": { "value": 2, "unit": "g" }, "frequency": "once daily", "time": "P1D", "status": "given" },
        { "id": "md2", "entity": entity_id("diclofenac"), "route": "intramuscular", "dose": null,
          "frequency": null, "time": "-P10D", "status": "prior" },
    ]);
    value["microbiology"] = json!([
        { "id": "mb1", "organism": { "id": "escherichia_coli", "label": "Escherichia coli", "codes": { "ncbitaxon": ["562"] } },
          "specimen": "blood", "result": "positive", "span": span_of("hemoculturi") },
    ]);
    value["diagnoses"] = json!([
        { "id": "d1", "source": "stated", "span": span_of("Șoc septic"), "text": "Șoc septic",
          "concept": { "id": "septic_shock", "label": "Septic shock", "codes": { "icd10cm": ["R65.21"], "icd10": ["R57.2"] } },
          "role": "principal", "certainty": "confirmed", "due_to": ["d2"] },
        { "id": "d2", "source": "stated", "span": span_of("spondilodiscitei L5-S1"), "text": "spondilodiscitei L5-S1",
          "concept": { "id": "discitis", "label": "Discitis, lumbosacral region", "codes": { "icd10cm": ["M46.47"] } },
          "role": "secondary", "certainty": "probable", "due_to": [] },
    ]);
    value["scores"] = json!([
        { "name": "qSOFA", "value": 1, "max": 3, "complete": false, "interpretation": "not high risk by the known criteria",
          "criteria": [
            { "name": "systolic BP ≤ 100 mmHg", "met": true, "evidence": [[439, 447]] },
            { "name": "respiratory rate ≥ 22/min", "met": null, "evidence": [] },
            { "name": "altered mentation", "met": false, "evidence": [] },
          ] },
    ]);
    value["differential"] = json!([
        { "rank": 1, "concept": { "id": "sepsis", "label": "Sepsis", "codes": { "icd10cm": ["A41.9"] } }, "score": 0.81,
          "supporting": [{ "finding": "hypotension", "weight": 1.5, "evidence": [[439, 447]] }],
          "against": [], "missing": [{ "finding": "lactate", "weight": 0.5, "evidence": [] }] },
        { "rank": 2, "concept": { "id": "pyelonephritis", "label": "Pyelonephritis", "codes": { "icd10cm": ["N10"] } }, "score": 0.2,
          "supporting": [], "against": [], "missing": [] },
    ]);
    let heart_rate =
        value["measurements"].as_array_mut().unwrap().iter_mut().find(|m| m["concept"]["id"] == "heart_rate");
    let heart_rate = heart_rate.expect("the seed has a heart rate");
    heart_rate["normalized"] = json!({ "value": 109.0, "unit": "/min" });
    heart_rate["interpretation"] = json!("high");
    heart_rate["reference"] = json!({ "low": 60.0, "high": 100.0, "unit": "/min", "source": "test fixture" });
    let analysis: Analysis = serde_json::from_value(value).expect("the hand-built analysis fits the contract");
    common::assert_valid(&analysis);
    analysis
}

fn resources(bundle: &Value) -> Vec<&Value> {
    bundle["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).collect()
}

fn of_type<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    resources(bundle).into_iter().filter(|r| r["resourceType"] == kind).collect()
}

fn spans(resource: &Value) -> Vec<(u64, u64)> {
    resource["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["url"] == fhir::SPAN_EXTENSION)
        .map(|e| {
            (e["extension"][0]["valueInteger"].as_u64().unwrap(), e["extension"][1]["valueInteger"].as_u64().unwrap())
        })
        .collect()
}

fn quote(start: u64, end: u64) -> String {
    common::seed().chars().skip(start as usize).take((end - start) as usize).collect()
}

fn has_coding(concept: &Value, system: &str, code: &str) -> bool {
    concept["coding"].as_array().into_iter().flatten().any(|c| c["system"] == system && c["code"] == code)
}

#[test]
fn bundle_is_a_collection_with_unique_resolving_urls() {
    let bundle = to_bundle(&full_analysis());
    assert_eq!((bundle["resourceType"].as_str(), bundle["type"].as_str()), (Some("Bundle"), Some("collection")));
    let urls: Vec<&str> = bundle["entry"].as_array().unwrap().iter().map(|e| e["fullUrl"].as_str().unwrap()).collect();
    let unique: std::collections::BTreeSet<_> = urls.iter().collect();
    assert_eq!(unique.len(), urls.len(), "fullUrls are unique");
    for url in &urls {
        let uuid = url.strip_prefix("urn:uuid:").unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "8", "version 8 UUID: {uuid}");
    }
    for resource in resources(&bundle).into_iter().skip(1) {
        let subject = resource["subject"]["reference"].as_str().unwrap();
        assert_eq!(subject, urls[0], "every resource is about the Patient");
    }
    std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fhir-hand-built-bundle.json"),
        serde_json::to_string_pretty(&bundle).unwrap(),
    )
    .unwrap();
}

#[test]
fn patient_gender_and_age_observation() {
    let bundle = to_bundle(&full_analysis());
    let patient = of_type(&bundle, "Patient")[0];
    assert_eq!(patient["gender"], "male");
    let (start, end) = spans(patient)[0];
    assert_eq!(quote(start, end), "Bărbat");
    let age =
        of_type(&bundle, "Observation").into_iter().find(|o| has_coding(&o["code"], fhir::LOINC, "30525-0")).unwrap();
    assert_eq!(age["valueQuantity"], json!({ "value": 47, "unit": "year", "system": fhir::UCUM, "code": "a" }));
}

#[test]
fn stated_diagnoses_and_differential_are_conditions() {
    let bundle = to_bundle(&full_analysis());
    let conditions = of_type(&bundle, "Condition");
    assert_eq!(conditions.len(), 4);
    let shock = conditions.iter().find(|c| has_coding(&c["code"], fhir::ICD10CM, "R65.21")).unwrap();
    assert_eq!(shock["verificationStatus"]["coding"][0]["code"], "confirmed");
    assert_eq!(shock["clinicalStatus"]["coding"][0]["code"], "active");
    assert!(has_coding(&shock["code"], fhir::ICD10, "R57.2"));
    let (start, end) = spans(shock)[0];
    assert_eq!(quote(start, end), "Șoc septic");
    let discitis = conditions.iter().find(|c| has_coding(&c["code"], fhir::ICD10CM, "M46.47")).unwrap();
    assert_eq!(discitis["verificationStatus"]["coding"][0]["code"], "provisional", "a probable diagnosis");
    let sepsis = conditions.iter().find(|c| has_coding(&c["code"], fhir::ICD10CM, "A41.9")).unwrap();
    assert_eq!(sepsis["verificationStatus"]["coding"][0]["code"], "differential");
    assert!(sepsis.get("clinicalStatus").is_none());
    assert_eq!(sepsis["evidence"][0]["code"][0]["text"], "hypotension");
    assert_eq!(quote(spans(sepsis)[0].0, spans(sepsis)[0].1), "TA 80/50");
}

#[test]
fn measurements_are_observations_with_loinc_ucum_interpretation_and_range() {
    let bundle = to_bundle(&full_analysis());
    let observations = of_type(&bundle, "Observation");
    let heart = observations.iter().find(|o| has_coding(&o["code"], fhir::LOINC, "8867-4")).unwrap();
    assert_eq!(heart["category"][0]["coding"][0]["code"], "vital-signs");
    assert_eq!(heart["valueQuantity"], json!({ "value": 109.0, "unit": "/min", "system": fhir::UCUM, "code": "/min" }));
    assert_eq!(heart["interpretation"][0]["coding"][0]["code"], "H");
    assert_eq!(heart["referenceRange"][0]["low"]["value"], 60.0);
    assert_eq!(heart["referenceRange"][0]["high"]["value"], 100.0);
    let bp = observations.iter().find(|o| has_coding(&o["code"], fhir::LOINC, "85354-9")).unwrap();
    assert!(bp.get("valueQuantity").is_none(), "a panel has its values in components");
    assert!(has_coding(&bp["component"][0]["code"], fhir::LOINC, "8480-6"));
    assert_eq!(bp["component"][0]["valueQuantity"]["value"], 80.0);
    assert!(has_coding(&bp["component"][1]["code"], fhir::LOINC, "8462-4"));
    assert_eq!(bp["component"][1]["valueQuantity"]["value"], 50.0);
    assert_eq!(bp["component"][1]["valueQuantity"]["code"], "mm[Hg]");
    let wbc = observations.iter().find(|o| o["category"][0]["coding"][0]["code"] == "laboratory").unwrap();
    assert!(wbc["valueQuantity"]["value"].is_number());
    let culture = observations.iter().find(|o| o["valueCodeableConcept"].is_object()).unwrap();
    assert!(has_coding(&culture["valueCodeableConcept"], fhir::NCBITAXON, "562"));
    let qsofa = observations.iter().find(|o| o["code"]["text"] == "qSOFA").unwrap();
    assert_eq!(qsofa["status"], "preliminary", "an incomplete score");
    assert_eq!(qsofa["component"][0]["valueBoolean"], true);
    assert_eq!(qsofa["component"][1]["dataAbsentReason"]["coding"][0]["code"], "unknown", "unknown is not false");
    assert_eq!(qsofa["component"][2]["valueBoolean"], false);
}

#[test]
fn medications_procedures_and_imaging() {
    let bundle = to_bundle(&full_analysis());
    let statements = of_type(&bundle, "MedicationStatement");
    assert_eq!(statements.len(), 2);
    let ceftriaxone = statements[0];
    assert!(has_coding(&ceftriaxone["medicationCodeableConcept"], fhir::ATC, "J01DD04"));
    assert_eq!(ceftriaxone["status"], "active");
    let dosage = &ceftriaxone["dosage"][0];
    assert_eq!(dosage["route"]["text"], "intravenous");
    assert_eq!(dosage["timing"]["code"]["text"], "once daily");
    assert_eq!(
        dosage["doseAndRate"][0]["doseQuantity"],
        json!({ "value": 2.0, "unit": "g", "system": fhir::UCUM, "code": "g" })
    );
    let diclofenac = statements[1];
    assert_eq!(diclofenac["status"], "completed");
    let relative =
        diclofenac["extension"].as_array().unwrap().iter().find(|e| e["url"] == fhir::RELATIVE_TIME_EXTENSION);
    assert_eq!(relative.unwrap()["valueString"], "-P10D");
    assert_eq!(quote(spans(diclofenac)[0].0, spans(diclofenac)[0].1), "diclofenac");
    let procedures = of_type(&bundle, "Procedure");
    assert!(procedures.iter().any(|p| p["code"]["text"].as_str().is_some() && p["status"] == "completed"));
    let reports = of_type(&bundle, "DiagnosticReport");
    assert_eq!(reports.len(), 2, "one per imaging section");
    assert_eq!(reports[1]["category"][0]["coding"][0]["code"], "RAD");
    assert!(reports[1]["conclusion"].as_str().unwrap().contains("spondilodiscita L5-S1"));
}

#[test]
fn every_resource_points_at_text_and_the_bundle_is_deterministic() {
    let analysis = full_analysis();
    let bundle = to_bundle(&analysis);
    for resource in resources(&bundle) {
        for (start, end) in spans(resource) {
            assert!(start < end, "{resource}");
            assert!(!quote(start, end).trim().is_empty());
        }
    }
    assert_eq!(bundle, to_bundle(&analysis));
    let other = common::engine().analyze("Pacient de 30 ani cu febră.", &casus::Options::default()).unwrap();
    assert_ne!(to_bundle(&other)["entry"][0]["fullUrl"], bundle["entry"][0]["fullUrl"]);
}

#[test]
fn an_empty_analysis_gives_a_patient_only() {
    let analysis = common::engine().analyze("Control periodic.", &casus::Options::default()).unwrap();
    let bundle = to_bundle(&analysis);
    let kinds: Vec<&str> = resources(&bundle).iter().map(|r| r["resourceType"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Patient"]);
    assert!(resources(&bundle)[0].get("gender").is_none());
}
