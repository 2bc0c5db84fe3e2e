// explicable dashboard for image and text models: plain DOM, no libraries, nothing loaded from outside this
// server. Figures are the server's SVG, shown as data: images (each its own document, so the page's strict
// Content-Security-Policy holds and figures never share element ids).
"use strict";

const state = { overview: null, item: null, seq: 0 };

function $(id) { return document.getElementById(id); }

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function fmt(x, digits = 3) {
  if (x === null || x === undefined) return "–";
  if (typeof x === "boolean") return x ? "yes" : "no";
  if (typeof x === "number") {
    if (Number.isInteger(x)) return String(x);
    if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(1);
    return Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(digits);
  }
  return String(x);
}

async function api(path) {
  const response = await fetch(path);
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

function showStatus(message) {
  $("status").textContent = message || "";
  $("status").hidden = !message;
}

function table(node, columns, rows) {
  // columns: [[header, key or function, numeric?]]
  node.replaceChildren();
  node.append(el("thead", {}, [el("tr", {}, columns.map(([h]) => el("th", { scope: "col", text: h })))]));
  const body = el("tbody");
  for (const row of rows) {
    body.append(el("tr", {}, columns.map(([, key, numeric]) => {
      const value = typeof key === "function" ? key(row) : row[key];
      const cell = el("td", numeric ? { class: "num" } : {});
      if (value instanceof Node) cell.append(value); else cell.textContent = fmt(value);
      return cell;
    })));
  }
  node.append(body);
}

// A server figure ({svg, title, alt}) as an image; sizes are attributes (the page allows no inline style).
function figureImage(fig, attrs = {}) {
  return el("img", { src: "data:image/svg+xml;charset=utf-8," + encodeURIComponent(fig.svg), alt: fig.alt,
    title: fig.title, ...attrs });
}

function numbersTable(rows) {
  const node = el("table", { class: "numbers" });
  node.append(el("tbody", {}, rows.map(([term, value]) =>
    el("tr", {}, [el("th", { scope: "row", text: term }), el("td", { class: "num", text: fmt(value) })]))));
  return node;
}

function predictionText(result) {
  const p = result.prediction;
  let text = `Predicted ${p.predicted}; score for "${p.output}": ${fmt(p.value)} (${p.output_space})`;
  if (result.label !== null) text += ` · true class: ${result.label}${result.correct ? "" : " (misclassified)"}`;
  return text;
}

// ---- the list of items ---------------------------------------------------------------------------------
function renderOverview(o) {
  const m = o.model;
  const what = o.kind === "image" ? `${m.image_shape[0]}×${m.image_shape[1]} images with ${m.image_shape[2]} ` +
    "channel(s)" : `${m.n_layers} layers × ${m.n_heads} attention heads`;
  $("model-line").textContent = `${m.type} · ${what} · outputs ${m.outputs.join(", ")} (${m.output_space}) · ` +
    `explained: "${m.output}" · seed ${o.random_state}`;
  $("items-title").textContent = o.kind === "image" ? `Images (${o.n_items})` : `Texts (${o.n_items})`;
  $("items-note").textContent = `Pick one to explain it (✓: predicted as labelled, ✗: misclassified).` +
    (o.accuracy === null ? "" : ` Accuracy on these: ${fmt(o.accuracy)}.`);
  const pick = (it, content) => {
    const button = el("button", { type: "button", class: "link item", "data-item": it.item, "aria-pressed": "false",
      title: `${it.predicted} (score ${fmt(it.score)})` }, content);
    button.addEventListener("click", () => selectItem(it.item));
    return button;
  };
  const mark = (it) => (it.label === null ? "" : it.correct ? " ✓" : ` ✗ (${it.label})`);
  if (o.kind === "image") {  // thumbnails flow along the line, as buttons do
    $("item-list").replaceChildren(...o.items.map((it) => pick(it, [
      el("img", { src: it.thumbnail, alt: `image ${it.item}`, width: "72", height: "72" }), el("br"),
      `${it.item}: ${it.predicted}${mark(it)}`])));
  } else {
    const node = el("table");
    table(node, [["", (it) => pick(it, [`text ${it.item}`])], ["text", "text"], ["predicted", (it) => it.predicted + mark(it)],
      [`score (${o.model.output})`, "score", true]], o.items);
    $("item-list").replaceChildren(node);
  }
}

async function selectItem(i) {
  showStatus("");
  const seq = ++state.seq;
  for (const b of document.querySelectorAll("button.item")) b.setAttribute("aria-pressed", String(b.dataset.item === String(i)));
  $("item-heading").textContent = `Explaining ${state.overview.kind} ${i}…`;
  delete $("item-panel").dataset.item;
  try {
    const result = await api(`/api/item?item=${i}`);
    if (seq !== state.seq) return;  // another item was picked meanwhile
    state.item = result;
    $("item-heading").textContent = `${result.kind === "image" ? "Image" : "Text"} ${result.item}. ` + predictionText(result);
    $("item-heading").dataset.value = String(result.prediction.value);
    if (result.kind === "image") renderImage(result); else renderText(result);
    $("item-panel").dataset.item = String(result.item);
  } catch (err) {
    if (seq === state.seq) showStatus(err.message);
  }
}

// ---- an image ------------------------------------------------------------------------------------------
const IMAGE_NUMBERS = {
  gradcam: (n) => [["layer", n.layer]],
  integrated_gradients: (n) => [["sum of attributions", n.sum], ["f(x) − f(blurred image)", n.change],
    ["completeness error", n.delta], ["steps", n.n_steps], ["converged", n.converged]],
  smoothgrad: (n) => [["noisy copies", n.n_samples], ["noise (of range)", n.noise],
    ["pixels settled (95%)", n.settled_share], ["largest std. error", n.max_stderr]],
};

function renderImage(r) {
  $("text-view").hidden = true;
  $("image-view").hidden = false;
  // the image, then one column per method: the overlays side by side, their numbers below
  const outlined = r.mask !== null && r.has_mask;
  const heads = [el("th", { scope: "col", text: "Image" })];
  const cells = [el("td", {}, [el("img", { id: "input-image", src: outlined ? r.mask : r.image, width: "220",
    height: "220", alt: `Image ${r.item}` + (outlined ? ", the ground-truth lesion outlined in green" : "") }),
  el("p", { text: outlined ? "Green: the ground-truth lesion." : r.mask !== null ? "No lesion in this image." : "" })])];
  for (const m of r.methods) {
    const n = m.numbers;
    const rows = [...IMAGE_NUMBERS[m.name](n)];
    if (n.pointing_hit !== null) rows.push(["pointing game hit", n.pointing_hit], ["IoU with the mask", n.iou]);
    rows.push(["seconds", n.elapsed_seconds]);
    heads.push(el("th", { scope: "col", text: m.label }));
    cells.push(el("td", { class: "overlay", "data-method": m.name, "data-sum": n.sum, "data-delta": n.delta ?? "" },
      [figureImage(m, { width: "260", height: "260" }), numbersTable(rows)]));
  }
  $("image-figures").replaceChildren(el("thead", {}, [el("tr", {}, heads)]), el("tbody", {}, [el("tr", {}, cells)]));
  renderTcav(r.tcav);
}

function renderTcav(t) {
  const node = $("tcav");
  if (!t.available) { node.replaceChildren(el("p", { text: t.reason })); return; }
  const tab = el("table", { id: "tcav-table" });
  const verdict = (row) => el("span", { class: row.significant ? "pass" : "fail",
    text: row.significant ? "significant" : "not significant" });
  table(tab, [["concept", "concept"], ["TCAV score (all images)", "score", true], ["std", "std", true],
    ["random CAVs", "random_score", true], ["corrected p", "p_value_corrected", true], ["verdict", verdict],
    ["CAV accuracy", "cav_accuracy", true], ["this image", "this_image", true]], t.rows);
  node.replaceChildren(el("p", { text: `Share of the ${t.n_inputs} images whose "${t.target}" score ` +
    `rises along each concept's direction at layer ${t.layer} (${t.n_cavs} CAVs each), tested against random ` +
    `directions (Bonferroni-corrected, α = ${t.alpha}); "this image": the share of the concept's CAVs along which ` +
    "this image's score rises." }), el("div", { class: "scroll" }, [tab]));
}

// ---- a text --------------------------------------------------------------------------------------------
function renderText(r) {
  $("image-view").hidden = true;
  $("text-view").hidden = false;
  const heads = [], cells = [];  // the methods side by side, as the image view has them
  for (const m of r.methods) {
    const n = m.numbers;
    const rows = m.name === "integrated_gradients"
      ? [["sum of attributions", n.sum], ["f(x) − f(baseline)", n.change], ["completeness error", n.delta],
        ["steps", n.n_steps], ["baseline", n.baseline]]
      : [["sum of drops", n.sum], ["replacement", n.replacement]];
    rows.push(["seconds", n.elapsed_seconds]);
    heads.push(el("th", { scope: "col", text: m.label }));
    cells.push(el("td", { class: "token-heat", "data-method": m.name, "data-sum": n.sum, "data-delta": n.delta ?? "" },
      [figureImage(m, { width: "520" }), numbersTable(rows)]));
  }
  $("token-figures").replaceChildren(el("thead", {}, [el("tr", {}, heads)]), el("tbody", {}, [el("tr", {}, cells)]));
  const rep = r.report;
  $("attention-summary").textContent = rep.summary;
  const verdict = (row) => row.verdict === null ? "(reference)" :
    el("span", { class: row.faithful ? "pass" : "fail", "data-method": row.method, text: row.verdict });
  table($("attention-table"), [["method", "label"], [`Spearman with ${rep.reference_label || "–"}`, "spearman", true],
    ["Kendall p", "kendall_pvalue", true], ["deletion margin", "deletion_margin", true],
    ["deletion beats random", "deletion_passed"], ["verdict", verdict]], rep.rows);
  const roll = r.attention.rollout;
  $("rollout").replaceChildren(figureImage(roll, { width: "640" }), el("figcaption", { text: "Attention rollout from [CLS] " +
    "(special tokens drawn at zero)" }));
  const select = $("layer-select");
  select.replaceChildren(...Array.from({ length: r.attention.n_layers }, (_, l) =>
    el("option", { value: String(l), text: `${l}${l === r.attention.n_layers - 1 ? " (last)" : ""}` })));
  select.value = String(r.attention.layer);
  renderHeads(r.attention);
}

function renderHeads(h) {
  $("heads").replaceChildren(figureImage(h, { width: "720" }), el("figcaption", {
    text: `Attention of each head in layer ${h.layer}: rows attend to columns` }));
  $("heads").dataset.layer = String(h.layer);
}

async function changeLayer() {
  const item = state.item;
  if (!item) return;
  delete $("heads").dataset.layer;
  try {
    renderHeads(await api(`/api/heads?item=${item.item}&layer=${$("layer-select").value}`));
  } catch (err) {
    showStatus(err.message);
  }
}

// ---- start ---------------------------------------------------------------------------------------------
async function start() {
  $("layer-select").addEventListener("change", changeLayer);
  $("layer-form").addEventListener("submit", (event) => event.preventDefault());
  try {
    state.overview = await api("/api/overview");
    renderOverview(state.overview);
    document.body.dataset.ready = "true";
  } catch (err) {
    showStatus(err.message);
  }
}

document.addEventListener("DOMContentLoaded", start);
