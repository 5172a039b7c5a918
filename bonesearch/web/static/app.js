// bonesearch web page: talks to /api only, builds the DOM with textContent (never innerHTML
// with data), keeps an uploaded image in memory only for paging.
"use strict";

const PER_PAGE = 24;
const BODY_PARTS = {
  ANKLE: "cheville", ELBOW: "coude", FOOT: "pied", FOREARM: "avant-bras", HAND: "main", HIP: "hanche",
  KNEE: "genou", LEG: "jambe", PELVIS: "bassin", SHOULDER: "épaule", SPINE: "rachis", WRIST: "poignet",
  SKULL: "crâne", CHEST: "thorax", FEMUR: "fémur", HUMERUS: "humérus", CLAVICLE: "clavicule",
};
const SIDES = { L: "gauche", R: "droit", B: "bilatéral" };
const SEXES = { F: "femme", M: "homme", O: "autre" };
const $ = (id) => document.getElementById(id);

// what the results grid shows: a text query, an image, or the studies similar to a study
const state = { mode: null, query: "", image: null, imageName: "", study: null, page: 1, info: null };
let openStudyUid = null;
let inFlight = null; // the AbortController of the search being answered: a newer search cancels it
let filterTimer = null; // filter edits wait this long for the next keystroke before searching
const FILTER_DEBOUNCE_MS = 300;

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (response.status === 401) { showLogin(); throw new ApiError(401, "jeton d'accès requis"); }
  if (!response.ok) {
    let detail = `erreur ${response.status}`;
    try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, detail);
  }
  return response.status === 204 ? null : response.json();
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

const partName = (code) => (code ? BODY_PARTS[code] || code.toLowerCase() : "région ?");
const age = (months) => (months == null ? "âge ?" : `${Math.floor(months / 12)} ans`);
const frDate = (iso) => (iso ? iso.split("-").reverse().join("/") : "date ?");

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

// ------------------------------------------------------------------ filters
function filters() {
  const out = {};
  for (const name of ["body_part", "laterality", "sex", "date_from", "date_to"]) {
    const value = $(`f-${name}`).value;
    if (value) out[name] = value;
  }
  for (const name of ["age_min", "age_max"]) {
    const value = $(`f-${name}`).value;
    if (value !== "") out[name] = Number(value);
  }
  return out;
}

function describeFilters() {
  // the active filters in words, shown with the results: « genou · femme · 40–80 ans · du 01/02/2020 »
  const f = filters();
  const parts = [];
  if (f.body_part) parts.push(partName(f.body_part));
  if (f.laterality) parts.push(SIDES[f.laterality] || f.laterality);
  if (f.sex) parts.push(SEXES[f.sex] || f.sex);
  if (f.age_min != null || f.age_max != null) parts.push(`${f.age_min ?? 0}–${f.age_max ?? "…"} ans`);
  if (f.date_from) parts.push(`du ${frDate(f.date_from)}`);
  if (f.date_to) parts.push(`au ${frDate(f.date_to)}`);
  return parts.join(" · ");
}

function fillFacets(info) {
  const parts = $("f-body_part");
  for (const code of info.facets.body_parts) parts.append(el("option", { value: code, textContent: partName(code) }));
  const sexes = $("f-sex");
  for (const code of info.facets.sex) sexes.append(el("option", { value: code, textContent: SEXES[code] || code }));
  for (const option of $("f-laterality").options) option.hidden = option.value && !info.facets.laterality.includes(option.value);
  if (info.facets.study_dates) {
    for (const id of ["f-date_from", "f-date_to"]) { $(id).min = info.facets.study_dates[0]; $(id).max = info.facets.study_dates[1]; }
  }
  const examples = $("examples");
  examples.append(el("span", { className: "sub", textContent: "Exemples :" }));
  for (const text of info.examples) {
    examples.append(el("button", { type: "button", textContent: text, onclick: () => { $("q").value = text; runText(); } }));
  }
  if (!info.study_similarity) { $("similar").disabled = true; $("similar").title = "cet index n'a pas de vecteurs d'examens"; }
}

// ------------------------------------------------------------------ searches
function runText() {
  const query = $("q").value.trim();
  if (!query) { $("q").focus(); return; }
  Object.assign(state, { mode: "text", query, page: 1 });
  run();
}

function runImage(file) {
  if (!file) return;
  const limit = state.info ? state.info.limits.upload_max_bytes : Infinity;
  if (file.size > limit) { setStatus(`image trop volumineuse (au plus ${Math.round(limit / 1048576)} Mo)`, true); return; }
  file.arrayBuffer().then((buffer) => {
    Object.assign(state, { mode: "image", image: buffer, imageName: file.name, page: 1 });
    run();
  });
}

function runSimilar(studyUid) {
  Object.assign(state, { mode: "similar", study: studyUid, page: 1 });
  $("study").close();
  run();
}

async function run() {
  if (!state.mode) return;
  if (inFlight) inFlight.abort(); // a stale answer must never replace a newer one
  const controller = new AbortController();
  inFlight = controller;
  const signal = controller.signal;
  const paging = { page: state.page, per_page: PER_PAGE };
  const group = $("f-group").checked ? "study" : "image";
  let request, title;
  if (state.mode === "text") {
    title = `« ${state.query} »`;
    request = api("/api/search", { method: "POST", signal, headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query: state.query, filters: filters(), group_by: group, ...paging,
        ...($("f-mode").value ? { mode: $("f-mode").value } : {}) }) });
  } else if (state.mode === "image") {
    title = `Images semblables à ${state.imageName || "l'image déposée"}`;
    const params = new URLSearchParams({ ...filters(), ...paging, group_by: group });
    request = api(`/api/search/image?${params}`, { method: "POST", signal, body: state.image,
      headers: { "Content-Type": "application/octet-stream" } });
  } else {
    title = `Cas similaires à l'examen …${state.study.slice(-8)}`;
    request = api(`/api/studies/${encodeURIComponent(state.study)}/similar`, { method: "POST", signal,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ filters: filters(), ...paging }) });
  }
  setStatus("recherche…");
  document.body.dataset.busy = "1";
  const started = performance.now();
  const active = describeFilters();
  if (active) title += ` — filtres : ${active}`;
  try {
    const page = await request;
    if (inFlight !== controller) return;
    showResults(page, title, performance.now() - started);
  } catch (error) {
    if (error.name === "AbortError" || inFlight !== controller) return;
    if (error.status !== 401) showError(error.message);
  } finally {
    if (inFlight === controller) { inFlight = null; delete document.body.dataset.busy; }
  }
}

function showError(message) {
  // the error takes the place of the results it makes stale, not a line above them
  $("results").replaceChildren(el("p", { className: "results-error", role: "alert", textContent: message }));
  $("pager").hidden = true;
  document.body.dataset.results = "0";
  setStatus(message, true);
}

// ------------------------------------------------------------------ results
function excerpt(text, marks) {
  const node = el("p", { className: "excerpt" });
  if (!text) { node.textContent = "(pas de compte rendu)"; return node; }
  let at = 0;
  for (const [start, end] of marks || []) {
    node.append(text.slice(at, start), el("mark", { textContent: text.slice(start, end) }));
    at = end;
  }
  node.append(text.slice(at));
  return node;
}

function card(result, kind) {
  const picture = result.thumbnail
    ? el("img", { src: result.thumbnail, alt: `radiographie ${partName(result.body_part)}`, loading: "lazy", width: 256, height: 256 })
    : el("div", { className: "missing", textContent: "pas d'image" });
  const detail = kind === "studies"
    ? `${result.images} image${result.images === 1 ? "" : "s"} · ${age(result.age_months)} · ${SEXES[result.sex] || "sexe ?"}`
    : [result.view, SIDES[result.laterality], age(result.age_months), SEXES[result.sex] || "sexe ?"].filter(Boolean).join(" · ");
  return el("button", { type: "button", className: "card", dataset: { study: result.study_uid },
      onclick: () => openStudy(result.study_uid),
      "aria-label": `Résultat ${result.rank}, ${partName(result.body_part)}, score ${result.score.toFixed(3)} : ouvrir l'examen` },
    picture,
    el("span", { className: "meta" }, el("span", { textContent: `#${result.rank} · ${partName(result.body_part)}` }),
      el("span", { className: "score", textContent: result.score.toFixed(3) })),
    el("span", { className: "sub", textContent: `${frDate(result.study_date)} · ${detail}` }),
    ...why(result.signals),
    excerpt(result.excerpt, result.marks));
}

const SIGNAL_NAMES = { lexical: "mots du compte rendu", report: "compte rendu", image: "image" };
const ANATOMY = "région demandée";

function why(signals) {
  // Which signals ranked this hit, and where: « trouvé par : mots du compte rendu n° 2 · image n° 14 »
  const parts = Object.keys(SIGNAL_NAMES).filter((name) => signals && signals[name])
    .map((name) => `${SIGNAL_NAMES[name]} n° ${signals[name]}`);
  if (signals && signals.anatomy) parts.push(ANATOMY);
  return parts.length ? [el("span", { className: "why", textContent: `trouvé par : ${parts.join(" · ")}` })] : [];
}

function showResults(page, title, roundTripMs) {
  const grid = $("results");
  grid.replaceChildren(...page.results.map((r) => card(r, page.kind)));
  $("results-title").textContent = `${title} — page ${page.page}`;
  const unit = page.kind === "studies" ? "examen" : "image";
  const count = page.results.length;
  setStatus(count
    ? `${count} ${unit}${count > 1 ? "s" : ""} (résultats ${(page.page - 1) * page.per_page + 1}–${(page.page - 1) * page.per_page + count}) en ${Math.round(roundTripMs)} ms`
    : "aucun résultat : élargissez les filtres");
  $("pager").hidden = page.page === 1 && !page.has_more;
  $("prev").disabled = page.page <= 1;
  $("next").disabled = !page.has_more;
  $("page-label").textContent = `page ${page.page}`;
  document.body.dataset.results = String(count);
}

function turnPage(delta) {
  if (!state.mode) return;
  const next = state.page + delta;
  if (next < 1 || (delta > 0 && $("next").disabled)) return;
  state.page = next;
  run().then(() => $("results-title").focus());
}

// ------------------------------------------------------------------ study view
async function openStudy(studyUid) {
  let study;
  try { study = await api(`/api/studies/${encodeURIComponent(studyUid)}`); }
  catch (error) { if (error.status !== 401) setStatus(error.message, true); return; }
  openStudyUid = study.study_uid;
  $("study-title").textContent = `Examen ${partName(study.body_part)} du ${frDate(study.study_date)}`;
  $("study-meta").textContent = [study.modality, age(study.age_months), SEXES[study.sex] || "sexe ?",
    `${study.images.length} image${study.images.length === 1 ? "" : "s"}`, `examen …${study.study_uid.slice(-8)}`].filter(Boolean).join(" · ");
  $("study-images").replaceChildren(...study.images.map((image) => el("figure", {},
    el("img", { src: image.thumbnail, alt: `${partName(image.body_part)} ${image.view || ""}` }),
    el("figcaption", { textContent: [partName(image.body_part), image.view, SIDES[image.laterality]].filter(Boolean).join(" · ") }))));
  const reports = study.reports.length
    ? study.reports.map((report) => el("section", {}, el("h3", { textContent: `Compte rendu du ${frDate(report.report_date)}` }),
        report.conclusion ? el("p", { className: "conclusion", textContent: `Conclusion : ${report.conclusion}` }) : null,
        excerptFull(report.text)))
    : [el("p", { textContent: "(pas de compte rendu)" })];
  $("study-report").replaceChildren(...reports);
  $("study").showModal();
  $("similar").focus();
}

function excerptFull(text) {
  // the full report, with the current text query's words marked (same rules as the API's marks, simplified)
  if (state.mode !== "text") return el("div", { textContent: text });
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const terms = fold(state.query).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 4);
  if (!terms.length) return el("div", { textContent: text });
  const node = el("div");
  const pattern = new RegExp(terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  const chars = [...text];
  const folded = chars.map((c) => fold(c)[0] || c).join("");
  let at = 0;
  for (const match of folded.matchAll(pattern)) {
    node.append(chars.slice(at, match.index).join(""), el("mark", { textContent: chars.slice(match.index, match.index + match[0].length).join("") }));
    at = match.index + match[0].length;
  }
  node.append(chars.slice(at).join(""));
  return node;
}

// ------------------------------------------------------------------ login
function showLogin() {
  if (!$("login").open) $("login").showModal();
  $("token").focus();
}

async function login(event) {
  event.preventDefault();
  try {
    await api("/api/session", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: $("token").value }) });
    $("token").value = "";
    $("login").close();
    init();
  } catch (error) {
    $("login-error").textContent = error.message;
  }
}

// ------------------------------------------------------------------ wiring
function wire() {
  $("search-form").addEventListener("submit", (event) => { event.preventDefault(); runText(); });
  const filtersChanged = () => {
    if (!state.mode) return;
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => { state.page = 1; run(); }, FILTER_DEBOUNCE_MS);
  };
  $("filters").addEventListener("change", filtersChanged);
  $("filters").addEventListener("input", filtersChanged);
  $("clear-filters").addEventListener("click", () => {
    for (const input of $("filters").querySelectorAll("input, select")) {
      if (input.type === "checkbox") input.checked = false; else input.value = "";
    }
    if (state.mode) { state.page = 1; run(); }
  });
  $("prev").addEventListener("click", () => turnPage(-1));
  $("next").addEventListener("click", () => turnPage(1));
  $("close-study").addEventListener("click", () => $("study").close());
  $("similar").addEventListener("click", () => openStudyUid && runSimilar(openStudyUid));
  $("login-form").addEventListener("submit", login);
  $("file").addEventListener("change", (event) => { runImage(event.target.files[0]); event.target.value = ""; });
  const drop = $("drop");
  drop.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); $("file").click(); } });
  for (const type of ["dragenter", "dragover"]) drop.addEventListener(type, (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    runImage(event.dataTransfer.files[0]);
  });
  // a file dropped anywhere else must not make the browser navigate to it
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName) || document.querySelector("dialog[open]");
    if (typing) return;
    if (event.key === "/") { event.preventDefault(); $("q").focus(); $("q").select(); }
    else if (event.key === "ArrowRight") turnPage(1);
    else if (event.key === "ArrowLeft") turnPage(-1);
  });
}

async function init() {
  try {
    const info = await api("/api/info");
    state.info = info;
    $("store-info").textContent = `${info.images.toLocaleString("fr-FR")} images · ${info.studies.toLocaleString("fr-FR")} examens`;
    if (!$("examples").childElementCount) fillFacets(info);
    $("q").disabled = false;
    $("q").focus();
    document.body.dataset.ready = "1";
    performance.mark("bonesearch-ready");
  } catch (error) {
    if (error.status !== 401) { $("store-info").textContent = ""; setStatus(error.message, true); }
  }
}

wire();
init();
