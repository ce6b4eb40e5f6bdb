//! The concept inventory: kinds of findings, places, tests and organisms that case reports write
//! and that the inventory must recognise as one mention of the right concept.

mod common;

use casus::analysis::EntityType;
use casus::Options;

/// The concept id and type of the entity whose text is `needle`; panics with what was found.
fn concept_of(text: &str, needle: &str) -> (String, EntityType) {
    let analysis = common::engine().analyze(text, &Options::default()).unwrap();
    common::assert_valid(&analysis);
    let entity = analysis.entities.iter().find(|e| e.text == needle).unwrap_or_else(|| {
        let found: Vec<(&str, &str)> =
            analysis.entities.iter().map(|e| (e.text.as_str(), e.concept.id.as_str())).collect();
        panic!("no entity {needle:?} in {text:?}; found {found:?}")
    });
    (entity.concept.id.clone(), entity.entity_type)
}

fn assert_concept(text: &str, needle: &str, id: &str, entity_type: EntityType) {
    assert_eq!(concept_of(text, needle), (id.to_owned(), entity_type), "{needle:?} in {text:?}");
}

#[test]
fn imaging_ecg_and_nerve_conduction_findings_are_signs() {
    use EntityType::SignSymptom as S;
    for (text, needle, id) in [
        (
            "Radiografia toracică arată hiperinflație pulmonară și diafragme aplatizate.",
            "hiperinflație pulmonară",
            "lung_hyperinflation",
        ),
        (
            "Radiografia toracică arată hiperinflație pulmonară și diafragme aplatizate.",
            "diafragme aplatizate",
            "lung_hyperinflation",
        ),
        ("Colangio-RM: imagine lacunară în coledocul distal.", "imagine lacunară", "filling_defect"),
        (
            "EKG: tahicardie sinusală, aspect S1Q3T3 și unde T ample, ascuțite în precordiale.",
            "aspect S1Q3T3",
            "s1q3t3_pattern",
        ),
        (
            "EKG: tahicardie sinusală, aspect S1Q3T3 și unde T ample, ascuțite în precordiale.",
            "unde T ample, ascuțite",
            "peaked_t_waves",
        ),
        (
            "Electroneurografia: viteze de conducere scăzute și blocuri de conducere.",
            "viteze de conducere scăzute",
            "abnormal_nerve_conduction",
        ),
        (
            "Puncția lombară a evidențiat LCR tulbure, cu presiune de deschidere crescută.",
            "LCR tulbure",
            "turbid_fluid",
        ),
        (
            "Puncția lombară a evidențiat LCR tulbure, cu presiune de deschidere crescută.",
            "presiune de deschidere crescută",
            "elevated_csf_opening_pressure",
        ),
    ] {
        assert_concept(text, needle, id, S);
    }
}

#[test]
fn adjectives_of_an_examined_part_are_findings() {
    let text = "Examen obiectiv: gamba dreaptă edemațiată, caldă.";
    assert_concept(text, "gamba", "lower_leg", EntityType::Anatomy);
    assert_concept(text, "edemațiată", "localized_edema", EntityType::SignSymptom);
    assert_concept(text, "caldă", "skin_warmth", EntityType::SignSymptom);
}

#[test]
fn coordinated_nausea_and_vomiting_are_two_findings() {
    let text = "Pacienta acuză greață și vărsături de două zile.";
    assert_concept(text, "greață", "nausea", EntityType::SignSymptom);
    assert_concept(text, "vărsături", "vomiting", EntityType::SignSymptom);
}

#[test]
fn a_gram_stain_names_an_organism_by_its_morphology() {
    assert_concept(
        "Colorația Gram a arătat diplococi Gram-negativi.",
        "diplococi Gram-negativi",
        "gram_negative_diplococci",
        EntityType::Organism,
    );
}

#[test]
fn a_diagnostic_puncture_is_a_test_and_an_unqualified_one_a_procedure() {
    assert_concept(
        "Paracenteză diagnostică: lichid citrin.",
        "Paracenteză diagnostică",
        "diagnostic_paracentesis",
        EntityType::Test,
    );
    assert_concept("Paracenteză diagnostică: lichid citrin.", "lichid citrin", "clear_fluid", EntityType::SignSymptom);
    assert_concept(
        "S-a efectuat paracenteză evacuatorie de 5 L.",
        "paracenteză evacuatorie",
        "paracentesis",
        EntityType::Procedure,
    );
}

#[test]
fn a_gland_is_a_gland() {
    assert_concept("Ecografie: glandă cu ecostructură neomogenă.", "glandă", "gland", EntityType::Anatomy);
    assert_concept("Calcul de 2 cm inclavat în infundibul.", "infundibul", "gallbladder_neck", EntityType::Anatomy);
}

#[test]
fn an_organism_named_inside_a_longer_mention_is_a_mention_too() {
    let text = "Pacient cu infecție cu Helicobacter pylori.";
    assert_concept(text, "infecție cu Helicobacter pylori", "helicobacter_pylori_infection", EntityType::Disorder);
    assert_concept(text, "Helicobacter pylori", "helicobacter_pylori", EntityType::Organism);
}

#[test]
fn an_abbreviation_in_mixed_case_matches_only_its_own_spelling() {
    let analysis = common::engine().analyze("Un factor cheie a fost ChE 3000 U/L.", &Options::default()).unwrap();
    let found: Vec<(&str, &str)> = analysis
        .entities
        .iter()
        .map(|e| (e.text.as_str(), e.concept.id.as_str()))
        .chain(analysis.measurements.iter().map(|m| (m.text.as_str(), m.concept.id.as_str())))
        .collect();
    assert!(
        !found.iter().any(|(text, _)| text.starts_with("cheie")),
        "\"cheie\" (key) is no cholinesterase: {found:?}"
    );
    assert!(found.iter().any(|&(text, id)| text.starts_with("ChE") && id == "cholinesterase"), "{found:?}");
}
