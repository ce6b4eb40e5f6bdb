//! Context: what the text says around each finding.

mod common;

use casus::analysis::{Assertion, Experiencer};
use casus::Options;

/// The assertion of the first entity whose text is `needle`.
fn assertion_of(text: &str, needle: &str) -> Assertion {
    let engine = common::engine();
    let analysis = engine.analyze(text, &Options::default()).unwrap();
    common::assert_valid(&analysis);
    analysis
        .entities
        .iter()
        .find(|e| e.text == needle)
        .unwrap_or_else(|| {
            let found: Vec<&str> = analysis.entities.iter().map(|e| e.text.as_str()).collect();
            panic!("no entity {needle:?} in {text:?}; found {found:?}")
        })
        .assertion
        .clone()
}

#[test]
fn the_seed_negations_and_uncertainty_come_out_right() {
    let seed = common::seed();
    assert!(assertion_of(&seed, "murmur").negated, "AC: tonuri ritmice fără murmur");
    assert!(!assertion_of(&seed, "tonuri ritmice").negated, "the murmur is negated, the heart sounds are not");
    assert!(!assertion_of(&seed, "MVC").negated, "Neurologic: fără focar AR: MVC — the label ends the scope");
    let spondylodiscitis = assertion_of(&seed, "spondilodiscita L5-S1");
    assert!(spondylodiscitis.uncertain && !spondylodiscitis.negated, "sugerând spondilodiscita");
    assert!(!assertion_of(&seed, "edem").negated, "edem bilateral, fovea + is present");
}

#[test]
fn a_negation_never_crosses_dar_or_insa() {
    for text in [
        "Pacientul nu prezintă febră, dar acuză dispnee.",
        "Pacientul nu prezintă febră, însă acuză dispnee.",
        "Fără febră, iar dispnee la efort.",
    ] {
        assert!(assertion_of(text, "febră").negated, "{text}");
        let dyspnoea = if text.contains("efort") { "dispnee la efort" } else { "dispnee" };
        assert!(!assertion_of(text, dyspnoea).negated, "{text}");
    }
}

#[test]
fn negation_works_in_every_spelling() {
    for (text, needle) in [
        ("Fără greață și fără vărsături.", "vărsături"),
        ("Fara greata si fara varsaturi.", "varsaturi"),
        ("Nu prezintă edeme ale membrelor inferioare.", "edeme ale membrelor inferioare"),
    ] {
        assert!(assertion_of(text, needle).negated, "{text}");
    }
}

#[test]
fn a_negative_result_reports_the_test_it_does_not_negate_it() {
    // The cultures were drawn; what is absent is the bacteraemia they looked for: a culture with
    // its result is a test whose microbiology record is negative, never a negated mention; any
    // other test with its qualitative result is a measurement whose result is negative.
    let analysis = common::engine().analyze("Hemoculturi negative.", &Options::default()).unwrap();
    common::assert_valid(&analysis);
    assert!(!analysis.entities.iter().any(|e| e.assertion.negated));
    assert!(analysis.entities.iter().any(|e| e.text == "Hemoculturi"));
    let cultures = analysis.microbiology.iter().find(|m| m.organism.id == "blood_culture").unwrap();
    assert_eq!(cultures.result, "negative");
    let analysis = common::engine().analyze("Test Coombs direct negativ.", &Options::default()).unwrap();
    assert!(!analysis.entities.iter().any(|e| e.assertion.negated));
    let coombs = analysis.measurements.iter().find(|m| m.text == "Test Coombs direct negativ").unwrap();
    assert_eq!(coombs.result.as_deref(), Some("negative"));
    assert!(assertion_of("Edeme absente.", "Edeme").negated);
}

#[test]
fn uncertainty_history_and_family() {
    assert!(assertion_of("Aspect sugestiv pentru pneumonie.", "pneumonie").uncertain);
    assert!(assertion_of("Suspiciune de apendicită acută.", "apendicită acută").uncertain);
    assert!(assertion_of("Cunoscut cu diabet zaharat tip 2.", "diabet zaharat tip 2").historical);
    assert!(assertion_of("Antecedente de infarct miocardic.", "infarct miocardic").historical);
    assert_eq!(assertion_of("Mama cu diabet zaharat.", "diabet zaharat").experiencer, Experiencer::Family);
    assert!(!assertion_of("Pacienta prezintă tuse productivă.", "tuse productivă").negated);
}

/// The assertions of every entity of `text`, by entity text (first occurrence).
fn assertions(text: &str) -> Vec<(String, Assertion)> {
    let analysis = common::engine().analyze(text, &Options::default()).unwrap();
    common::assert_valid(&analysis);
    analysis.entities.into_iter().map(|e| (e.text, e.assertion)).collect()
}

#[test]
fn the_seed_has_no_other_assertion_than_its_own() {
    // "fără antecedente de interes" (a pseudo-trigger), "Neurologic: fără focar", "fără murmur",
    // "Radiografie toracică: fără date de interes" and "sugerând spondilodiscita": only the murmur
    // is absent, only the spondylodiscitis uncertain, and nothing is history or a plan.
    for (text, assertion) in assertions(&common::seed()) {
        assert_eq!(assertion.negated, text == "murmur", "{text}: {assertion:?}");
        assert_eq!(assertion.uncertain, text == "spondilodiscita L5-S1", "{text}: {assertion:?}");
        assert!(!assertion.historical && !assertion.hypothetical, "{text}: {assertion:?}");
    }
}

#[test]
fn a_known_comorbidity_list_is_history_and_its_drugs_are_current() {
    for text in [
        "Cunoscut cu DZ tip 2 de 12 ani, în tratament cu gliclazid 120 mg/zi și metformin 1000 mg x 2/zi, \
         HTA în tratament cu amlodipină 10 mg/zi și IRC, se prezintă pentru confuzie.",
        "Cunoscut cu DZ tip 2 de 12 ani, in tratament cu gliclazid 120 mg/zi si metformin 1000 mg x 2/zi, \
         HTA in tratament cu amlodipina 10 mg/zi si IRC, se prezinta pentru confuzie.",
        "Cunoscut cu DZ tip 2 de 12 ani, în tratament cu gliclazid 120 mg/zi şi metformin 1000 mg x 2/zi, \
         HTA în tratament cu amlodipină 10 mg/zi şi IRC, se prezintă pentru confuzie.",
    ] {
        for (entity, assertion) in assertions(text) {
            let drug = ["gliclazid", "metformin", "amlodipin"].iter().any(|d| entity.starts_with(d));
            let complaint = entity == "confuzie";
            assert_eq!(assertion.historical, !drug && !complaint, "{entity} in {text}");
        }
    }
}

#[test]
fn the_past_history_section_dates_diseases_not_their_current_drugs() {
    let text = "Antecedente: HTA, FA permanentă sub apixaban 5 mg de 2 ori pe zi, fractură de radius distal \
                drept în urmă cu 6 ani.";
    assert!(assertion_of(text, "HTA").historical);
    assert!(assertion_of(text, "FA permanentă").historical);
    assert!(!assertion_of(text, "apixaban").historical, "the anticoagulant is taken now");
    // A heading that ends its line heads a list: every item is history, up to the blank line.
    let text = "Antecedente personale patologice:\n- HTA\n- DZ tip 2\n\nPacientul acuză febră.";
    assert!(assertion_of(text, "HTA").historical);
    assert!(assertion_of(text, "DZ tip 2").historical);
    assert!(!assertion_of(text, "febră").historical, "the complaint after the list is current");
}

#[test]
fn years_ago_is_history_hours_and_days_ago_are_the_present_illness() {
    for (text, needle) in [
        ("Antecedente de ulcer duodenal în urmă cu 10 ani.", "ulcer duodenal"),
        ("Ulcer duodenal diagnosticat in urma cu doi ani.", "Ulcer duodenal"),
        ("În urmă cu 3 ani a fost diagnosticat cu ulcer duodenal.", "ulcer duodenal"),
        ("Cu 2 ani în urmă a fost operat de apendicită acută.", "apendicită acută"),
        ("Mentionează o pneumonie in urma cu aproximativ 3 luni.", "pneumonie"),
        ("DZ tip 2 de 4 ani.", "DZ tip 2"),
        ("HTA de peste 20 de ani.", "HTA"),
        ("A mai suferit un infarct miocardic.", "infarct miocardic"),
        ("Tratată cu sertralină 50 mg/zi, întreruptă de 3 luni.", "sertralină"),
        ("Tratata cu sertralina 50 mg/zi, intrerupta de 3 luni.", "sertralina"),
        ("Cunoscută cu HTA în tratament cu amlodipină şi hipotiroidism.", "hipotiroidism"),
    ] {
        assert!(assertion_of(text, needle).historical, "{text}");
    }
    for (text, needle) in [
        ("Pacienta prezintă febră apărută în urmă cu 2 zile.", "febră"),
        ("Cădere de la același nivel, survenită în urmă cu aproximativ 4 ore.", "Cădere de la același nivel"),
        ("Relatează un episod de epistaxis în urmă cu o zi.", "epistaxis"),
        ("Tuse de 3 zile.", "Tuse"),
        ("Pacientul a suferit o cădere de la înălțime.", "cădere de la înălțime"),
    ] {
        assert!(!assertion_of(text, needle).historical, "{text}");
    }
}

#[test]
fn a_denied_history_is_negated_and_historical() {
    for (text, needle) in
        [("Fără antecedente de hepatopatie.", "hepatopatie"), ("Fara antecedente de hepatopatie.", "hepatopatie")]
    {
        let assertion = assertion_of(text, needle);
        assert!(assertion.negated && assertion.historical, "{text}: {assertion:?}");
    }
}

#[test]
fn a_treatment_clause_ends_a_scope_only_for_its_drugs() {
    // The drug was given: neither uncertain nor absent.
    let text = "Opacitate bazală sugestivă pentru pneumonie, tratată cu amoxicilină.";
    assert!(assertion_of(text, "pneumonie").uncertain);
    assert!(!assertion_of(text, "amoxicilină").uncertain);
    let text = "Fără febră, tratat cu paracetamol.";
    assert!(assertion_of(text, "febră").negated);
    assert!(!assertion_of(text, "paracetamol").negated);
}

#[test]
fn plans_watches_and_risks_are_hypothetical() {
    for (text, needle) in [
        ("Nu se poate exclude evoluția spre sindrom HELLP.", "sindrom HELLP"),
        ("Nu se poate exclude evolutia spre sindrom HELLP.", "sindrom HELLP"),
        ("Nu se poate exclude evoluţia spre sindrom HELLP.", "sindrom HELLP"),
        ("Monitorizare neurologică orară pentru posibil edem cerebral.", "edem cerebral"),
        ("Reevaluare ecocardiografică la 3 luni.", "Reevaluare ecocardiografică"),
        ("Reevaluare ecocardiografica la o luna.", "Reevaluare ecocardiografica"),
        ("Se continuă calciu, cu osteodensitometrie DXA ulterioară.", "osteodensitometrie DXA"),
        ("În caz de febră se va prezenta la medic.", "febră"),
        ("In caz de febra se va prezenta la medic.", "febra"),
        ("Se va reveni dacă apare febră.", "febră"),
        ("Risc de hemoragie digestivă.", "hemoragie digestivă"),
        ("Enoxaparină pentru prevenirea trombozei venoase profunde.", "trombozei venoase profunde"),
    ] {
        assert!(assertion_of(text, needle).hypothetical, "{text}");
    }
    for text in ["Se recomandă evitarea AINS.", "Se recomanda evitarea AINS.", "SE RECOMANDĂ EVITAREA AINS."] {
        let nsaid = assertion_of(text, "AINS");
        assert!(nsaid.negated && nsaid.hypothetical, "{text}: {nsaid:?}");
    }
    // A p.r.n. drug is prescribed, not hypothetical (corpus/dev convention).
    assert!(!assertion_of("Paracetamol 1 g la nevoie.", "Paracetamol").hypothetical);
}

#[test]
fn normal_exam_findings_are_findings_not_silence() {
    let text = "AR: MVC, fără raluri. AC: zgomote cardiace ritmice, fără sufluri. Abdomen suplu, nedureros. \
                Afebril. Conștient, cooperant, orientat temporo-spațial, fără semne de iritație meningeală. \
                Pupile egale, reactive. Sensibilitate profundă conservată. Puls pedios prezent.";
    let analysis = common::engine().analyze(text, &Options::default()).unwrap();
    common::assert_valid(&analysis);
    let concept = |needle: &str| {
        let entity = analysis.entities.iter().find(|e| e.text == needle).unwrap_or_else(|| panic!("no {needle:?}"));
        (entity.concept.id.clone(), entity.assertion.negated)
    };
    assert_eq!(concept("MVC"), ("vesicular_breath_sounds".to_owned(), false));
    assert_eq!(concept("zgomote cardiace ritmice"), ("regular_heart_sounds".to_owned(), false));
    assert_eq!(concept("sufluri"), ("heart_murmur".to_owned(), true));
    assert_eq!(concept("Abdomen suplu"), ("soft_abdomen".to_owned(), false));
    assert_eq!(concept("Afebril"), ("afebrile".to_owned(), false));
    assert_eq!(concept("orientat temporo-spațial"), ("conscious_oriented".to_owned(), false));
    assert_eq!(concept("semne de iritație meningeală"), ("meningismus".to_owned(), true));
    assert_eq!(concept("Pupile egale"), ("pupils_equal_reactive".to_owned(), false));
    assert_eq!(concept("Sensibilitate profundă conservată"), ("preserved_sensation".to_owned(), false));
    assert_eq!(concept("Puls pedios prezent"), ("present_peripheral_pulses".to_owned(), false));
}
