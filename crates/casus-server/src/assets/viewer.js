// casus viewer: calls POST /v1/analyze and POST /v1/code on this server and draws the analysis.
// Plain JavaScript, no dependency. Spans in the analysis count Unicode code points, so the text
// is handled as an array of code points (Array.from), never as UTF-16 indices.
"use strict";

const I18N = {
  ro: {
    tagline: "Analiza cazurilor clinice: entități, valori, coduri, diagnostic diferențial",
    blind: "Ascunde diagnosticul", analyze: "Analizează", open: "Deschide un fișier…",
    placeholder: "Lipiți aici un caz clinic sau trageți un fișier .txt",
    text: "Textul", patient: "Pacientul", measurements: "Semne vitale și analize", medications: "Medicație",
    microbiology: "Microbiologie", timeline: "Cronologia cazului", scores: "Scoruri", diagnoses: "Diagnostice declarate",
    differential: "Diagnostic diferențial", codes: "Coduri ICD-10-CM", warnings: "Avertismente",
    none: "nimic găsit", age: "Vârsta", sex: "Sexul", male: "masculin", female: "feminin", unknown: "necunoscut",
    year: "ani", month: "luni", week: "săptămâni", day: "zile",
    name: "Denumire", value: "Valoare", flag: "Semnal", reference: "Interval de referință", drug: "Medicament",
    route: "Cale", dose: "Doză", frequency: "Frecvență", time: "Moment", status: "Stare", organism: "Organism",
    specimen: "Probă", result: "Rezultat", supporting: "Pentru", against: "Împotrivă", missing: "Lipsă",
    score: "scor", criteria: "criterii", incomplete: "incomplet", presentation: "prezentare (ziua 0)",
    analysing: "Se analizează…", analysed: "Analizat în {ms} ms: {e} entități, {m} valori",
    empty: "Textul este gol.", certainty: "certitudine", role: "rol",
    type_disorder: "afecțiune", type_sign_symptom: "simptom/semn", type_anatomy: "anatomie", type_procedure: "procedură",
    type_test: "investigație", type_drug: "medicament", type_organism: "organism", type_measurement: "valoare",
    negated: "negat", uncertain: "incert", historical: "în antecedente", hypothetical: "ipotetic", family: "la familie",
    other: "la altă persoană", concept: "Concept", assertion: "Context", asserted: "afirmat",
    crit_met: "îndeplinit", crit_not: "neîndeplinit", crit_unknown: "necunoscut", days: "zile",
  },
  en: {
    tagline: "Clinical case analysis: entities, values, codes, differential diagnosis",
    blind: "Hide the diagnosis", analyze: "Analyse", open: "Open a file…",
    placeholder: "Paste a clinical case here or drop a .txt file",
    text: "Text", patient: "Patient", measurements: "Vitals and labs", medications: "Medications",
    microbiology: "Microbiology", timeline: "Case timeline", scores: "Scores", diagnoses: "Stated diagnoses",
    differential: "Differential diagnosis", codes: "ICD-10-CM codes", warnings: "Warnings",
    none: "none found", age: "Age", sex: "Sex", male: "male", female: "female", unknown: "unknown",
    year: "years", month: "months", week: "weeks", day: "days",
    name: "Name", value: "Value", flag: "Flag", reference: "Reference range", drug: "Drug",
    route: "Route", dose: "Dose", frequency: "Frequency", time: "Time", status: "Status", organism: "Organism",
    specimen: "Specimen", result: "Result", supporting: "For", against: "Against", missing: "Missing",
    score: "score", criteria: "criteria", incomplete: "incomplete", presentation: "presentation (day 0)",
    analysing: "Analysing…", analysed: "Analysed in {ms} ms: {e} entities, {m} values",
    empty: "The text is empty.", certainty: "certainty", role: "role",
    type_disorder: "disorder", type_sign_symptom: "sign/symptom", type_anatomy: "anatomy", type_procedure: "procedure",
    type_test: "test", type_drug: "drug", type_organism: "organism", type_measurement: "value",
    negated: "negated", uncertain: "uncertain", historical: "historical", hypothetical: "hypothetical", family: "family",
    other: "other person", concept: "Concept", assertion: "Context", asserted: "asserted",
    crit_met: "met", crit_not: "not met", crit_unknown: "unknown", days: "days",
  },
};

const TYPES = ["disorder", "sign_symptom", "anatomy", "procedure", "test", "drug", "organism", "measurement"];
const FLAGS = { critical_low: "LL", low: "L", normal: "N", high: "H", critical_high: "HH" };
const SYSTEMS = { icd10cm: "ICD-10-CM", icd10: "ICD-10", loinc: "LOINC", atc: "ATC", ncbitaxon: "NCBI Taxon" };

let lang = "ro";
let last = null; // { text, analysis, codes }

const $ = (id) => document.getElementById(id);
const t = (key) => (I18N[lang][key] !== undefined ? I18N[lang][key] : key);

/** A DOM element with attributes and children (strings become text nodes: never parsed as HTML). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function none() {
  return el("p", { class: "none" }, t("none"));
}

function codeBadges(codes) {
  const out = [];
  for (const [system, list] of Object.entries(codes || {})) {
    for (const code of list) out.push(el("span", { class: "code", title: SYSTEMS[system] || system }, code));
  }
  return out;
}

function codesText(codes) {
  return Object.entries(codes || {}).map(([s, l]) => `${SYSTEMS[s] || s}: ${l.join(", ")}`).join("; ");
}

/** A link that scrolls the text to a span and flashes it. */
function jump(label, span) {
  if (!span) return el("span", {}, label);
  return el("span", { class: "jump", "data-span": `${span[0]}-${span[1]}`, onclick: () => scrollToSpan(span) }, label);
}

function scrollToSpan(span) {
  const segments = Array.from(document.querySelectorAll("#text [data-start]"));
  const hit = segments.filter((s) => +s.dataset.start < span[1] && +s.dataset.end > span[0]);
  if (!hit.length) return;
  hit[0].scrollIntoView({ behavior: "smooth", block: "center" });
  for (const s of hit) {
    s.classList.remove("flash");
    void s.offsetWidth; // restart the animation
    s.classList.add("flash");
  }
}

// ---- the text with its highlights ----

function assertionWords(a) {
  const words = [];
  if (a.negated) words.push(t("negated"));
  if (a.uncertain) words.push(t("uncertain"));
  if (a.historical) words.push(t("historical"));
  if (a.hypothetical) words.push(t("hypothetical"));
  if (a.experiencer === "family") words.push(t("family"));
  if (a.experiencer === "other") words.push(t("other"));
  return words.length ? words.join(", ") : t("asserted");
}

/** Every highlighted thing: entities and measurements, as {start, end, type, classes, title}. */
function marks(analysis) {
  const out = [];
  for (const e of analysis.entities) {
    const a = e.assertion;
    const classes = ["ent", `t-${e.type}`];
    if (a.negated) classes.push("negated");
    if (a.uncertain) classes.push("uncertain");
    if (a.historical) classes.push("historical");
    if (a.hypothetical) classes.push("hypothetical");
    if (a.experiencer !== "patient") classes.push("family");
    const title = [
      `${t("type_" + e.type)}: ${e.text}`,
      `${t("concept")}: ${e.concept.label} (${e.concept.id})`,
      codesText(e.concept.codes),
      `${t("assertion")}: ${assertionWords(a)}`,
    ].filter(Boolean).join("\n");
    for (const span of e.fragments || [e.span]) {
      out.push({ start: span[0], end: span[1], classes, title, type: e.type });
    }
  }
  for (const m of analysis.measurements) {
    const classes = ["ent", "t-measurement"];
    if (m.interpretation) classes.push(`f-${m.interpretation}`);
    const title = [
      `${t("type_measurement")}: ${m.text}`,
      `${t("concept")}: ${m.concept.label} (${m.concept.id})`,
      codesText(m.concept.codes),
      m.interpretation ? `${t("flag")}: ${FLAGS[m.interpretation]}` : "",
    ].filter(Boolean).join("\n");
    out.push({ start: m.span[0], end: m.span[1], classes, title, type: "measurement" });
  }
  return out;
}

/** The text cut at every mark boundary; each piece styled by the shortest mark covering it. */
function renderText(text, analysis) {
  const chars = Array.from(text);
  const all = marks(analysis).filter((m) => m.start < m.end && m.end <= chars.length);
  const cuts = new Set([0, chars.length]);
  for (const m of all) { cuts.add(m.start); cuts.add(m.end); }
  const points = Array.from(cuts).sort((a, b) => a - b);
  const box = $("text");
  box.replaceChildren();
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i], points[i + 1]];
    const piece = chars.slice(start, end).join("");
    const covering = all.filter((m) => m.start <= start && end <= m.end);
    if (!covering.length) { box.append(piece); continue; }
    covering.sort((a, b) => (a.end - a.start) - (b.end - b.start));
    const inner = covering[0];
    const title = covering.map((m) => m.title).join("\n—\n");
    box.append(el("span", { class: inner.classes.join(" "), title, "data-start": start, "data-end": end, "data-type": inner.type }, piece));
  }
  const legend = $("legend");
  legend.replaceChildren(...TYPES.map((type) => el("span", { class: `ent t-${type}` }, t("type_" + type))),
    el("span", { class: "ent t-disorder negated" }, t("negated")),
    el("span", { class: "ent t-disorder uncertain" }, t("uncertain")));
}

// ---- panels ----

function panel(id, content) {
  const body = document.querySelector(`#panel-${id} .body`);
  body.replaceChildren(...[].concat(content));
}

function renderPatient(p) {
  if (!p.age && !p.sex) return panel("patient", none());
  const rows = [];
  if (p.age) rows.push(el("tr", {}, el("th", {}, t("age")), el("td", {}, jump(`${p.age.value} ${t(p.age.unit)}`, p.age.span))));
  rows.push(el("tr", {}, el("th", {}, t("sex")), el("td", {}, p.sex ? jump(t(p.sex), p.sex_span) : t("unknown"))));
  panel("patient", el("table", {}, rows));
}

function reference(r) {
  if (!r) return "";
  const range = r.low !== null && r.high !== null ? `${r.low}–${r.high}` : r.low !== null ? `≥ ${r.low}` : `≤ ${r.high}`;
  return el("span", { title: r.source }, `${range} ${r.unit}`, el("span", { class: "muted" }, ` (${r.source})`));
}

function renderMeasurements(list) {
  if (!list.length) return panel("measurements", none());
  const head = el("tr", {}, ...["name", "value", "flag", "reference"].map((k) => el("th", {}, t(k))));
  const flagOf = (m) => (m.interpretation ? el("span", { class: `flag f-${m.interpretation}`, title: m.interpretation }, FLAGS[m.interpretation]) : "");
  const rows = list.flatMap((m) => {
    let value = m.value !== null ? `${m.value}${m.unit ? " " + m.unit : ""}` : m.result || m.text;
    if (m.normalized && m.unit !== m.normalized.unit) value += ` (= ${m.normalized.value} ${m.normalized.unit})`;
    const row = el("tr", { "data-kind": m.kind }, el("td", {}, jump(m.concept.label, m.span)), el("td", {}, value), el("td", {}, flagOf(m)), el("td", {}, reference(m.reference)));
    // A ratio such as blood pressure is read as its components, each flagged against its own range.
    const parts = (m.components || []).map((c) => el("tr", { class: "component", "data-kind": m.kind },
      el("td", {}, "↳ " + c.concept.label), el("td", {}, `${c.value} ${c.unit || ""}`), el("td", {}, flagOf(c)), el("td", {}, reference(c.reference))));
    return [row, ...parts];
  });
  panel("measurements", el("table", {}, head, rows));
}

function entityById(analysis, id) {
  return analysis.entities.find((e) => e.id === id);
}

function renderMedications(analysis) {
  const list = analysis.medications;
  if (!list.length) return panel("medications", none());
  const head = el("tr", {}, ...["drug", "route", "dose", "frequency", "time", "status"].map((k) => el("th", {}, t(k))));
  const rows = list.map((m) => {
    const e = entityById(analysis, m.entity);
    const name = e ? jump(e.concept.label, e.span) : m.entity;
    const dose = m.dose ? `${m.dose.value} ${m.dose.unit}` : "";
    return el("tr", {}, el("td", {}, name, " ", e ? codeBadges({ atc: e.concept.codes.atc || [] }) : ""),
      el("td", {}, m.route || ""), el("td", {}, dose), el("td", {}, m.frequency || ""), el("td", {}, m.time || ""), el("td", {}, m.status || ""));
  });
  panel("medications", el("table", {}, head, rows));
}

function renderMicrobiology(list) {
  if (!list.length) return panel("microbiology", none());
  const head = el("tr", {}, ...["organism", "specimen", "result"].map((k) => el("th", {}, t(k))));
  const rows = list.map((m) => el("tr", {}, el("td", {}, jump(m.organism.label, m.span), " ", codeBadges(m.organism.codes)),
    el("td", {}, m.specimen || ""), el("td", {}, m.result)));
  panel("microbiology", el("table", {}, head, rows));
}

/** The events of the case timeline that date something, each with what it dates, oldest first. */
function timedItems(analysis) {
  const text = (id) => { const e = entityById(analysis, id); return e ? e.text : null; };
  const drug = (id) => { const m = analysis.medications.find((x) => x.id === id); return m ? text(m.entity) : null; };
  return (analysis.timeline || [])
    .map((event) => {
      const names = [...event.entities.map(text), ...event.medications.map(drug)].filter(Boolean);
      const label = (event.approximate ? "~ " : "") + names.join(", ");
      const first = entityById(analysis, event.entities[0]);
      const span = event.spans[0] || (first ? first.span : null);
      return { days: event.day, label: label.length > 70 ? label.slice(0, 69) + "…" : label, span, count: names.length };
    })
    .filter((item) => item.count > 0);
}

function renderTimeline(analysis) {
  const items = timedItems(analysis);
  const width = 520, left = 30, right = 30, axisY = 40, rowHeight = 18;
  const min = Math.min(0, ...items.map((i) => i.days)), max = Math.max(0, ...items.map((i) => i.days));
  const span = max - min || 1;
  const x = (d) => left + ((d - min) / span) * (width - left - right);
  const height = axisY + 20 + Math.max(1, items.length) * rowHeight;
  const root = svg("svg", { class: "timeline", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": t("timeline") });
  root.append(svg("line", { class: "axis", x1: left, y1: axisY, x2: width - right, y2: axisY }));
  root.append(svg("line", { class: "day0", x1: x(0), y1: axisY - 12, x2: x(0), y2: height - 4 }));
  const anchor = (px) => (px < width * 0.2 ? "start" : px > width * 0.8 ? "end" : "middle");
  root.append(svg("text", { x: x(0), y: axisY - 16, "text-anchor": anchor(x(0)) }, t("presentation")));
  if (items.length) {
    for (const d of [min, max]) {
      if (d !== 0) root.append(svg("text", { x: x(d), y: axisY + 14, "text-anchor": anchor(x(d)) }, `${Math.round(d * 10) / 10} ${t("days")}`));
    }
  }
  items.forEach((item, i) => {
    const y = axisY + 28 + i * rowHeight;
    const dot = svg("circle", { class: "item", cx: x(item.days), cy: y - 4, r: 5 });
    const label = svg("text", { x: x(item.days) + (x(item.days) > width / 2 ? -9 : 9), y, "text-anchor": x(item.days) > width / 2 ? "end" : "start" }, item.label);
    const group = svg("g", { "data-days": item.days }, dot, label);
    if (item.span) { group.style.cursor = "pointer"; group.addEventListener("click", () => scrollToSpan(item.span)); }
    root.append(group);
  });
  panel("timeline", items.length ? root : [root, none()]);
}

function evidenceLinks(spans) {
  return (spans || []).map((s, i) => [i ? " " : "", jump(`[${s[0]}–${s[1]}]`, s)]);
}

function renderScores(list) {
  if (!list.length) return panel("scores", none());
  panel("scores", el("ul", { class: "plain" }, list.map((s) => {
    const value = s.value !== null ? `${s.value}${s.max !== null ? " / " + s.max : ""}` : "?";
    const criteria = el("ul", {}, s.criteria.map((c) => {
      const cls = c.met === true ? "crit-met" : c.met === false ? "crit-not" : "crit-unknown";
      const word = c.met === true ? t("crit_met") : c.met === false ? t("crit_not") : t("crit_unknown");
      return el("li", { class: cls, title: word }, c.name, " ", el("span", { class: "muted" }, `(${word})`), " ", evidenceLinks(c.evidence));
    }));
    return el("li", {}, el("strong", {}, s.name), ` ${t("score")} ${value}`, s.complete ? "" : el("span", { class: "muted" }, ` (${t("incomplete")})`),
      s.interpretation ? [" — ", s.interpretation] : "", criteria);
  })));
}

function renderDiagnoses(list) {
  if (!list.length) return panel("diagnoses", none());
  panel("diagnoses", el("ul", { class: "plain" }, list.map((d) => el("li", {},
    jump(d.text, d.span), " → ", el("strong", {}, d.concept.label), " ", codeBadges(d.concept.codes),
    el("div", { class: "muted" }, `${t("role")}: ${d.role}; ${t("certainty")}: ${d.certainty}`)))));
}

function findings(label, list) {
  if (!list || !list.length) return null;
  return el("div", {}, el("span", { class: "muted" }, `${label}: `),
    list.map((f, i) => [i ? "; " : "", f.evidence && f.evidence.length ? jump(f.finding, f.evidence[0]) : f.finding, ` (${f.weight})`]));
}

function renderDifferential(list) {
  if (!list.length) return panel("differential", none());
  panel("differential", el("ul", { class: "plain" }, list.map((h) => el("li", { "data-rank": h.rank },
    el("strong", {}, `${h.rank}. ${h.concept.label}`), " ", codeBadges(h.concept.codes), el("span", { class: "muted" }, ` ${t("score")} ${h.score}`),
    findings(t("supporting"), h.supporting), findings(t("against"), h.against), findings(t("missing"), h.missing)))));
}

function renderCodes(codes) {
  if (!codes || !codes.length) return panel("codes", none());
  panel("codes", el("table", {}, codes.map((c, i) => el("tr", {},
    el("td", {}, `${i + 1}.`), el("td", {}, el("span", { class: "code" }, c.code)), el("td", {}, c.label),
    el("td", {}, c.score.toFixed(2)), el("td", {}, evidenceLinks(c.evidence))))));
}

function renderWarnings(list) {
  if (!list.length) return panel("warnings", none());
  panel("warnings", el("ul", { class: "plain" }, list.map((w) => el("li", {}, el("strong", {}, w.kind), ": ", w.span ? jump(w.message, w.span) : w.message))));
}

function render() {
  if (!last) return;
  const { text, analysis, codes } = last;
  $("result").hidden = false;
  renderText(text, analysis);
  renderPatient(analysis.patient);
  renderMeasurements(analysis.measurements);
  renderMedications(analysis);
  renderMicrobiology(analysis.microbiology);
  renderTimeline(analysis);
  renderScores(analysis.scores);
  renderDiagnoses(analysis.diagnoses);
  renderDifferential(analysis.differential);
  renderCodes(codes);
  renderWarnings(analysis.warnings);
}

// ---- talking to the server ----

function setStatus(message, isError) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", !!isError);
}

async function call(path, text, blind) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ text, language: "ro", blind }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body && body.detail ? body.detail : `HTTP ${response.status}`);
  return body;
}

async function analyze() {
  const text = $("input").value;
  if (!text.trim()) { setStatus(t("empty"), true); return; }
  const blind = $("blind").checked;
  setStatus(t("analysing"));
  const started = performance.now();
  try {
    const [analysis, codes] = await Promise.all([call("/v1/analyze", text, blind), call("/v1/code", text, blind)]);
    last = { text, analysis, codes: codes.codes };
    render();
    const ms = Math.round(performance.now() - started);
    setStatus(t("analysed").replace("{ms}", ms).replace("{e}", analysis.entities.length).replace("{m}", analysis.measurements.length));
    document.body.dataset.state = "analysed";
  } catch (err) {
    setStatus(err.message, true);
    document.body.dataset.state = "error";
  }
}

function setLang(code) {
  lang = I18N[code] ? code : "ro";
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const button of document.querySelectorAll(".langs button")) button.classList.toggle("active", button.dataset.lang === lang);
  render();
}

function readFile(file) {
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => { $("input").value = reader.result; analyze(); };
  reader.readAsText(file, "utf-8");
}

/** A report page (`casus analyze --format html`) carries its analysis: draw it, analyse nothing. */
function showReport(node) {
  last = JSON.parse(node.textContent);
  $("input-area").hidden = true;
  $("blind").closest("label").hidden = true;
  render();
  document.body.dataset.state = "analysed";
}

function init() {
  const params = new URLSearchParams(location.hash.slice(1));
  const report = document.getElementById("casus-report");
  if (report) {
    for (const button of document.querySelectorAll(".langs button")) button.addEventListener("click", () => setLang(button.dataset.lang));
    setLang(params.get("lang") || "ro");
    showReport(report);
    return;
  }
  $("analyze").addEventListener("click", analyze);
  $("blind").addEventListener("change", () => { if ($("input").value.trim()) analyze(); });
  for (const button of document.querySelectorAll(".langs button")) button.addEventListener("click", () => setLang(button.dataset.lang));
  $("file").addEventListener("change", (e) => readFile(e.target.files[0]));
  const input = $("input");
  input.addEventListener("dragover", (e) => { e.preventDefault(); input.classList.add("dragging"); });
  input.addEventListener("dragleave", () => input.classList.remove("dragging"));
  input.addEventListener("drop", (e) => { e.preventDefault(); input.classList.remove("dragging"); readFile(e.dataTransfer.files[0]); });
  input.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) analyze(); });
  setLang(params.get("lang") || "ro");
  // `#text=…` (a fragment: never sent to the server, so never in its logs) analyses on load.
  if (params.get("blind") === "1" || params.get("blind") === "true") $("blind").checked = true;
  if (params.get("text")) { input.value = params.get("text"); analyze(); }
}

document.addEventListener("DOMContentLoaded", init);
