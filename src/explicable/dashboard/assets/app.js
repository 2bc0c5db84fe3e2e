// explicable dashboard: plain DOM and SVG, no libraries, nothing loaded from outside this server.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const state = { overview: null, schema: null, row: 0, rowValues: null, loaded: {}, whatifSeq: 0, timer: null };

// ---- small helpers -------------------------------------------------------------------------------------
function $(id) { return document.getElementById(id); }

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function svgEl(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

function fmt(x, digits = 3) {
  if (x === null || x === undefined) return "–";
  if (typeof x === "number") {
    if (Number.isInteger(x)) return String(x);
    return Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(digits);
  }
  return String(x);
}

function short(text, n = 38) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

function showStatus(message) {
  const status = $("status");
  status.textContent = message || "";
  status.hidden = !message;
}

function table(node, columns, rows) {
  // columns: [[header, key or function, numeric?]]
  node.replaceChildren();
  const head = el("tr", {}, columns.map(([h]) => el("th", { scope: "col", text: h })));
  node.append(el("thead", {}, [head]));
  const body = el("tbody");
  for (const row of rows) {
    const cells = columns.map(([, key, numeric]) => {
      const value = typeof key === "function" ? key(row) : row[key];
      const cell = el("td", numeric ? { class: "num" } : {});
      if (value instanceof Node) cell.append(value); else cell.textContent = fmt(value);
      return cell;
    });
    body.append(el("tr", {}, cells));
  }
  node.append(body);
}

// A horizontal bar chart: items [{label, value, low?, high?}]; whiskers where an interval exists;
// signed bars are coloured by direction; `rule` draws a dashed reference line (e.g. the four-fifths line).
function barChart(node, items, { title, signed = false, rule = null, unit = "" } = {}) {
  node.replaceChildren();
  const width = 760, left = 290, right = 70, rowH = 22, top = 8;
  const height = top + rowH * items.length + 24;
  const ends = items.flatMap((d) => [d.value, d.low ?? d.value, d.high ?? d.value]);
  if (rule) ends.push(rule.value);
  let lo = Math.min(0, ...ends), hi = Math.max(0, ...ends);
  if (hi === lo) hi = lo + 1;
  const x = (v) => left + ((v - lo) / (hi - lo)) * (width - left - right);
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": title });
  svg.append(svgEl("title", {}, title));
  items.forEach((d, i) => {
    const y = top + i * rowH;
    const cls = signed ? (d.value >= 0 ? "bar-up" : "bar-down") : "bar";
    const [a, b] = [x(Math.min(0, d.value)), x(Math.max(0, d.value))];
    const label = svgEl("text", { x: left - 6, y: y + rowH * 0.65, "text-anchor": "end" }, short(d.label));
    if (short(d.label) !== d.label) label.append(svgEl("title", {}, d.label));
    svg.append(label);
    svg.append(svgEl("rect", { x: a, y: y + 3, width: Math.max(1, b - a), height: rowH - 6, class: cls,
      "data-label": d.label, "data-value": d.value }));
    if (d.low !== undefined && d.low !== null && d.high !== null) {
      const cy = y + rowH / 2;
      svg.append(svgEl("line", { x1: x(d.low), x2: x(d.high), y1: cy, y2: cy, class: "whisker" }));
      for (const end of [d.low, d.high]) {
        svg.append(svgEl("line", { x1: x(end), x2: x(end), y1: cy - 5, y2: cy + 5, class: "whisker" }));
      }
    }
    svg.append(svgEl("text", { x: width - right + 6, y: y + rowH * 0.65 }, fmt(d.value) + unit));
  });
  const base = top + rowH * items.length;
  svg.append(svgEl("line", { x1: x(0), x2: x(0), y1: top, y2: base, class: "axis" }));
  if (rule) {
    svg.append(svgEl("line", { x1: x(rule.value), x2: x(rule.value), y1: top, y2: base, class: "rule" }));
    svg.append(svgEl("text", { x: x(rule.value), y: base + 16, "text-anchor": "middle" }, rule.label));
  }
  node.append(svg, el("figcaption", { text: title }));
}

// ---- tabs ----------------------------------------------------------------------------------------------
const loaders = { importance: loadImportance, fairness: loadFairness };

function showTab(name) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const on = tab.id === `tab-${name}`;
    tab.setAttribute("aria-selected", String(on));
    $(tab.getAttribute("aria-controls")).hidden = !on;
  }
  if (loaders[name] && !state.loaded[name]) {
    state.loaded[name] = true;
    loaders[name]().catch((err) => { state.loaded[name] = false; showStatus(err.message); });
  }
}

// ---- overview ------------------------------------------------------------------------------------------
function renderOverview(o) {
  const m = o.model;
  $("model-line").textContent = `${m.type} · ${m.n_features} features · score shown: "${m.output}" ` +
    `(${m.output_space}) · explained with ${m.method} · seed ${o.random_state}`;
  $("overview-summary").textContent = `${o.n_rows} rows, ${o.n_columns} columns` +
    (o.target ? ` · true outcome: ${o.target}` : "") +
    (o.sensitive.length ? ` · sensitive: ${o.sensitive.join(", ")}` : "");
  const s = o.scores, h = s.histogram;
  const bins = h.counts.map((c, i) => ({ label: `${fmt(h.edges[i])} – ${fmt(h.edges[i + 1])}`, value: c }));
  const share = s.at_or_above_threshold === null ? "" :
    ` · ${fmt(100 * s.at_or_above_threshold)}% at or above the threshold ${fmt(s.threshold)}`;
  barChart($("overview-scores"), bins, { title: `Rows by score of "${m.output}" (mean ${fmt(s.mean)})${share}` });
  const pick = (row) => {
    const button = el("button", { type: "button", class: "link", "data-row": row.row, text: `row ${row.row}` });
    button.addEventListener("click", () => selectRow(row.row, "row"));
    return button;
  };
  const columns = [["", pick], ["score", "score", true], ...o.features.map((f) => [f, (r) => r.values[f]])];
  table($("overview-rows"), columns, o.preview);
  table($("overview-columns"), [["column", "name"], ["role", "role"], ["kind", "kind"], ["missing", "missing", true],
    ["min", "min", true], ["mean", "mean", true], ["max", "max", true],
    ["most common", (c) => (c.top || []).map((t) => `${t.value} (${t.count})`).join(", ")]], o.columns);
}

// ---- importance ----------------------------------------------------------------------------------------
async function loadImportance() {
  const imp = await api("/api/importance");
  const pct = Math.round(100 * imp.confidence);
  $("importance-note").textContent = `Mean absolute contribution to "${imp.output}" (${imp.output_space}) over ` +
    `${imp.n_rows} rows (${imp.method}); whiskers: ${pct}% confidence intervals.`;
  const items = imp.items.map((d) => ({ label: d.feature, value: d.importance, low: d.ci_low, high: d.ci_high }));
  barChart($("importance-chart"), items, { title: `Global importance, ${pct}% intervals` });
  table($("importance-table"), [["feature", "feature"], ["importance", "importance", true],
    [`${pct}% low`, "ci_low", true], [`${pct}% high`, "ci_high", true], ["std. error", "stderr", true]], imp.items);
}

// ---- one row -------------------------------------------------------------------------------------------
function predictionText(p) {
  let text = `Score for "${p.output}": ${fmt(p.value)}`;
  if (p.threshold !== null) text += ` (${p.at_or_above_threshold ? "at or above" : "below"} the threshold ${fmt(p.threshold)})`;
  return text;
}

function renderExplanation(chartNode, tableNode, result, title) {
  const e = result.explanation;
  const top = e.items.slice(0, 12);
  const items = top.map((d) => ({ label: `${d.feature} = ${fmt(d.value)}`, value: d.contribution,
    low: d.stderr === null ? undefined : d.contribution - 1.96 * d.stderr,
    high: d.stderr === null ? undefined : d.contribution + 1.96 * d.stderr }));
  barChart(chartNode, items, { signed: true, title: `${title}: contributions to "${e.output}" (${e.output_space}), ` +
    `from a base of ${fmt(e.base_value)}; red pushes it up, blue down (${e.method})` });
  if (tableNode) {
    table(tableNode, [["feature", "feature"], ["value", "value"], ["contribution", "contribution", true],
      ["std. error", "stderr", true]], e.items);
  }
}

function renderReasons(node, reasons) {
  node.replaceChildren(...reasons.items.map((r) => el("li", { text: r.statement })));
  if (!reasons.items.length) node.append(el("li", { text: "No factor pushed the score up." }));
  if (!reasons.stable) node.append(el("li", { class: "error", text: "This ranking is not statistically stable." }));
}

async function loadRow(i) {
  const result = await api(`/api/row?row=${i}`);
  state.row = result.row;
  state.rowValues = result.values;
  $("row-input").value = result.row;
  $("row-prediction").textContent = `Row ${result.row}. ` + predictionText(result.prediction);
  renderReasons($("row-reasons"), result.reasons);
  renderExplanation($("row-chart"), $("row-table"), result, `Row ${result.row}`);
  $("row-prediction").dataset.row = String(result.row);
  $("row-prediction").dataset.value = String(result.prediction.value);
  fillWhatIf(result);
  const node = $("row-counterfactuals");
  delete node.dataset.row;
  node.replaceChildren(el("p", { text: "Searching…" }));
  renderCounterfactuals(await api(`/api/counterfactuals?row=${result.row}`));
  node.dataset.row = String(result.row);
}

function renderCounterfactuals(cf) {
  const node = $("row-counterfactuals");
  if (!cf.available) { node.replaceChildren(el("p", { text: cf.reason })); return; }
  if (!cf.items.length) { node.replaceChildren(el("p", { text: "No counterfactual was found." })); return; }
  const list = el("ol", { id: "counterfactual-list" });
  for (const item of cf.items) {
    const changes = item.changes.map((c) => `${c.feature}: ${fmt(c.from)} → ${fmt(c.to)}`).join("; ");
    list.append(el("li", { text: `${changes} (score ${fmt(item.score)}${item.valid ? "" : ", not valid"})` }));
  }
  const fixed = cf.immutable.length ? ` Never changed: ${cf.immutable.join(", ")}.` : "";
  node.replaceChildren(el("p", { text: `Changes that would give ${cf.desired} (score now ${fmt(cf.query_score)}).${fixed}` }), list);
}

async function selectRow(i, tab) {
  showStatus("");
  if (tab) showTab(tab);
  try { await loadRow(i); } catch (err) { showStatus(err.message); }
}

// ---- what-if -------------------------------------------------------------------------------------------
function buildWhatIfForm(schema) {
  const form = $("whatif-form");
  form.replaceChildren();
  schema.features.forEach((f, j) => {
    const id = `wf-${j}`;
    let input;
    if (f.kind === "numeric") {
      input = el("input", { id, type: "number", step: "any", "data-feature": f.name });
      if (f.low !== null) input.setAttribute("placeholder", `${fmt(f.low)} – ${fmt(f.high)}`);
    } else {
      input = el("select", { id, "data-feature": f.name },
        f.levels.map((v) => el("option", { value: String(v), text: String(v) })));
    }
    input.addEventListener("input", scheduleWhatIf);
    input.addEventListener("change", scheduleWhatIf);
    form.append(el("label", { for: id, text: f.name }), input);
  });
}

function fillWhatIf(result) {
  $("whatif-row").textContent = String(result.row);
  for (const input of $("whatif-form").querySelectorAll("[data-feature]")) {
    const value = result.values[input.dataset.feature];
    input.value = value === null ? "" : String(value);
    input.classList.remove("changed");
  }
  $("whatif-error").hidden = true;
  $("whatif-prediction").textContent = predictionText(result.prediction);
  delete $("whatif-prediction").dataset.value;
  renderExplanation($("whatif-chart"), null, result, `Row ${result.row}`);
  renderReasons($("whatif-reasons"), result.reasons);
}

function scheduleWhatIf() {
  clearTimeout(state.timer);
  state.timer = setTimeout(runWhatIf, 120);
}

async function runWhatIf() {
  const changes = {};
  for (const input of $("whatif-form").querySelectorAll("[data-feature]")) {
    const original = state.rowValues ? state.rowValues[input.dataset.feature] : null;
    const changed = (original === null ? "" : String(original)) !== input.value;
    input.classList.toggle("changed", changed);
    if (changed) changes[input.dataset.feature] = input.value;
  }
  const seq = ++state.whatifSeq;
  try {
    const result = await api("/api/whatif", { row: state.row, changes });
    if (seq !== state.whatifSeq) return;  // a newer edit is on its way
    $("whatif-error").hidden = true;
    const sign = result.delta >= 0 ? "+" : "−";
    $("whatif-prediction").textContent = predictionText(result.prediction) +
      ` · was ${fmt(result.original)} (${sign}${fmt(Math.abs(result.delta))})`;
    $("whatif-prediction").dataset.value = String(result.prediction.value);
    renderExplanation($("whatif-chart"), null, result, `Edited row ${result.row}`);
    renderReasons($("whatif-reasons"), result.reasons);
  } catch (err) {
    if (seq !== state.whatifSeq) return;
    $("whatif-error").textContent = err.message;
    $("whatif-error").hidden = false;
  }
}

// ---- fairness ------------------------------------------------------------------------------------------
async function loadFairness() {
  const f = await api("/api/fairness");
  const node = $("fairness-content");
  if (!f.available) { node.replaceChildren(el("p", { text: f.reason })); return; }
  const verdict = f.passed ? el("p", { class: "pass", text: "The four-fifths rule holds for every group." })
    : el("div", {}, [el("p", { class: "fail", text: "Policy breached:" }),
      el("ul", {}, f.breaches.map((b) => el("li", { text: b })))]);
  const pct = Math.round(100 * f.confidence);
  node.replaceChildren(el("p", { text: `Selected (outcome "${f.positive}"): a score of at least ${fmt(f.threshold)}; ` +
    `${pct}% bootstrap intervals (${f.n_bootstrap} resamples, seed ${f.random_state}).` }), verdict);
  const attributes = [...new Set(f.groups.map((g) => g.attribute))];
  for (const attribute of attributes) {
    const rates = f.groups.filter((g) => g.attribute === attribute && g.metric === "selection_rate");
    const best = Math.max(...rates.map((r) => r.value));
    const figure = el("figure", { class: "fairness-chart", "data-attribute": attribute });
    barChart(figure, rates.map((r) => ({ label: `${r.group} (n=${r.n})`, value: r.value, low: r.ci_low, high: r.ci_high })),
      { title: `Selection rate by ${attribute}, ${pct}% intervals; dashed: four-fifths of the highest rate`,
        rule: { value: 0.8 * best, label: "4/5 of highest" } });
    node.append(el("h2", { text: `By ${attribute}` }), figure);
  }
  const ff = el("table", { id: "fairness-four-fifths" });
  table(ff, [["attribute", "attribute"], ["group", "group"], ["n", "n", true], ["rate", "rate", true],
    ["reference", "reference_group"], ["impact ratio", "impact_ratio", true], ["flagged", "flagged"],
    ["p-value", "p_value", true]], f.four_fifths);
  const dis = el("table");
  table(dis, [["attribute", "attribute"], ["metric", "metric"], ["value", "value", true], ["low", "ci_low", true],
    ["high", "ci_high", true]], f.disparities);
  node.append(el("h2", { text: "Four-fifths rule" }), el("div", { class: "scroll" }, [ff]),
    el("h2", { text: "Disparities" }), el("div", { class: "scroll" }, [dis]));
}

// ---- start ---------------------------------------------------------------------------------------------
async function start() {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => showTab(tab.id.slice(4)));
  }
  $("row-form").addEventListener("submit", (event) => {
    event.preventDefault();
    selectRow(Number($("row-input").value));
  });
  $("whatif-form").addEventListener("submit", (event) => event.preventDefault());
  $("row-whatif").addEventListener("click", () => showTab("whatif"));
  $("whatif-reset").addEventListener("click", () => selectRow(state.row));
  try {
    const [overview, schema] = await Promise.all([api("/api/overview"), api("/api/schema")]);
    state.overview = overview;
    state.schema = schema;
    $("row-input").max = String(schema.n_rows - 1);
    renderOverview(overview);
    buildWhatIfForm(schema);
    await loadRow(0);
    document.body.dataset.ready = "true";
  } catch (err) {
    showStatus(err.message);
  }
}

document.addEventListener("DOMContentLoaded", start);
