// Structured fields of a section as a form, built from the section's JSON Schema.
// The form edits a plain JS object (state) and writes it as JSON into the hidden `data`
// textarea, which is what the server validates; without JS that textarea is shown instead.
// Fractions (numbers in [0, 1]) are shown as percentages; lists of objects are tables (few
// simple columns) or stacked rows; references to metrics, splits and entities are pickers.

const readJSON = (id, fallback) => {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : fallback;
};

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
};

const isFraction = (s) => s.type === "number" && s.minimum === 0 && s.maximum === 1;
const isLeaf = (s) => s.type !== "object" && s.type !== "array";
const empty = (v) =>
  v === undefined || v === null || v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);

// Which declared names a field refers to; `*` stands for any row index.
const REFERENCES = {
  "metrics.items.*.dataset": "splits",
  "entities.features.*.entity": "entities",
  "baseline.baselines.*.compared_on": "metrics",
  "ab_test.primary_metric": "metrics",
  "ab_test.guardrail_metrics": "metrics",
};

export function mountFieldsForm(root, textarea, onChange) {
  const schema = readJSON("fields-schema", {});
  const choices = readJSON("fields-choices", {});
  const errors = readJSON("fields-errors", {});
  const strings = root.dataset;
  let state;
  try {
    state = JSON.parse(textarea.value || "{}");
  } catch {
    state = {};
  }
  if (typeof state !== "object" || state === null || Array.isArray(state)) state = {};

  const getAt = (path) => path.reduce((v, k) => (v == null ? undefined : v[k]), state);
  const setAt = (path, value) => {
    let node = state;
    path.slice(0, -1).forEach((key, i) => {
      if (node[key] == null || typeof node[key] !== "object") {
        node[key] = typeof path[i + 1] === "number" ? [] : {};
      }
      node = node[key];
    });
    const last = path[path.length - 1];
    if (empty(value)) {
      if (Array.isArray(node)) node[last] = value;
      else delete node[last];
    } else node[last] = value;
  };
  const sync = () => {
    textarea.value = JSON.stringify(state, null, 2);
    onChange?.();
  };
  const referenceOf = (path) =>
    REFERENCES[path.map((p) => (typeof p === "number" ? "*" : p)).join(".")];

  const errorList = (path) => {
    const messages = errors[path.join(".")];
    if (!messages) return null;
    return el("ul", { class: "field__errors" }, messages.map((m) => el("li", { text: m })));
  };

  const unitOf = (name, s) => {
    if (isFraction(s)) return "%";
    if (/_ms$/.test(name) || /\(ms\)/.test(s.title || "")) return "ms";
    if (/qps|throughput/.test(name)) return strings.unitQps;
    if (/_days$/.test(name)) return strings.unitDays;
    if (/_mb$/.test(name)) return "MB";
    return null;
  };

  // One scalar input bound to `path`.
  const scalarInput = (name, s, path, id) => {
    const value = getAt(path);
    const reference = referenceOf(path);
    const common = { id, "data-path": path.join("."), "aria-invalid": errors[path.join(".")] ? "true" : null };
    let input;
    const options = reference ? choices[reference] || [] : s.enum;
    if (options) {
      input = el("select", common, el("option", { value: "", text: "—" }));
      const all = value != null && !options.includes(value) ? [...options, value] : options;
      for (const option of all) {
        input.append(el("option", { value: String(option), text: String(option), selected: String(option) === String(value) }));
      }
      input.addEventListener("change", () => {
        const raw = input.value;
        const typed = s.enum && s.enum.every((o) => typeof o === "number") ? Number(raw) : raw;
        setAt(path, raw === "" ? undefined : typed);
        sync();
      });
      return input;
    }
    if (s.type === "boolean") {
      input = el("select", common,
        el("option", { value: "", text: "—" }),
        el("option", { value: "true", text: strings.yes, selected: value === true }),
        el("option", { value: "false", text: strings.no, selected: value === false }));
      input.addEventListener("change", () => {
        setAt(path, input.value === "" ? undefined : input.value === "true");
        sync();
      });
      return input;
    }
    if (s.type === "number" || s.type === "integer") {
      const shown = value == null ? "" : isFraction(s) ? +(value * 100).toPrecision(12) : value;
      input = el("input", { ...common, type: "number", step: s.type === "integer" ? "1" : "any", value: shown, inputmode: "decimal" });
      input.addEventListener("input", () => {
        if (input.value === "") setAt(path, undefined);
        else {
          const number = Number(input.value);
          setAt(path, isFraction(s) ? +(number / 100).toPrecision(12) : number);
        }
        sync();
      });
      return input;
    }
    const long = (s.maxLength || 0) > 500;
    input = long
      ? el("textarea", { ...common, rows: 3 })
      : el("input", { ...common, type: "text", maxlength: s.maxLength });
    input.value = value ?? "";
    input.addEventListener("input", () => {
      setAt(path, input.value);
      sync();
    });
    return input;
  };

  // A list of strings edited as one line per item (inside rows) or as a list editor.
  const linesInput = (s, path, id) => {
    const value = getAt(path) || [];
    const reference = referenceOf(path);
    const options = reference ? choices[reference] || [] : s.items?.enum;
    if (options) {
      const group = el("div", { class: "fields-checks", id, "data-path": path.join(".") });
      const all = [...new Set([...options, ...value])];
      if (!all.length) group.append(el("span", { class: "muted small", text: strings.noChoices }));
      for (const option of all) {
        const box = el("input", { type: "checkbox", value: option, checked: value.includes(option) });
        box.addEventListener("change", () => {
          const picked = [...group.querySelectorAll("input:checked")].map((b) => b.value);
          setAt(path, picked);
          sync();
        });
        group.append(el("label", { class: "fields-check" }, box, ` ${option}`));
      }
      return group;
    }
    const area = el("textarea", { id, rows: Math.max(2, Math.min(value.length + 1, 8)), "data-path": path.join(".") });
    area.value = value.join("\n");
    area.addEventListener("input", () => {
      setAt(path, area.value.split("\n").map((line) => line.trim()).filter(Boolean));
      sync();
    });
    return area;
  };

  let uid = 0;
  const nextId = () => `ff-${++uid}`;

  const field = (name, s, path) => {
    const id = nextId();
    const label = s.title || name;
    if (s.type === "object") return objectFieldset(name, s, path);
    if (s.type === "array" && s.items?.type === "object") return rowsEditor(name, s, path);
    const control = s.type === "array" ? linesInput(s, path, id) : scalarInput(name, s, path, id);
    if (s.readOnly) {
      const shown = getAt(path);
      return el("div", { class: "field field--readonly", "data-path": path.join(".") },
        el("span", { class: "label", text: label }),
        el("output", { text: shown == null ? strings.computed : JSON.stringify(shown) }));
    }
    const unit = s.type === "number" || s.type === "integer" ? unitOf(name, s) : null;
    const required = root.required.has(path.join("."));
    return el("div", { class: `field${required ? " field--required" : ""}` },
      el("label", { for: id }, label, required ? el("span", { class: "required-mark", title: strings.required, text: " *" }) : null),
      unit ? el("div", { class: "input-unit" }, control, el("span", { text: unit })) : control,
      s.description ? el("div", { class: "field__help", text: s.description }) : null,
      s.type === "array" && !referenceOf(path) && !s.items?.enum ? el("div", { class: "field__help", text: strings.onePerLine }) : null,
      errorList(path));
  };

  const objectFieldset = (name, s, path) => {
    if (s.readOnly) {
      const shown = getAt(path);
      return el("div", { class: "field field--readonly" },
        el("span", { class: "label", text: s.title || name }),
        el("output", { text: empty(shown) ? strings.computed : Object.entries(shown).map(([k, v]) => `${k}: ${v}`).join(", ") }));
    }
    const required = root.required.has(path.join("."));
    return el("fieldset", { class: "fields-group", "data-path": path.join(".") },
      el("legend", {}, s.title || name, required ? el("span", { class: "required-mark", text: " *" }) : null),
      errorList(path),
      el("div", { class: "fields-grid" },
        Object.entries(s.properties || {}).map(([key, sub]) => field(key, sub, [...path, key]))));
  };

  const rowButtons = (list, index, path) => {
    const move = (delta) => () => {
      const rows = getAt(path);
      const [row] = rows.splice(index, 1);
      rows.splice(index + delta, 0, row);
      sync();
      render();
    };
    const remove = () => {
      const rows = getAt(path);
      rows.splice(index, 1);
      if (!rows.length) setAt(path, undefined);
      sync();
      render();
    };
    const n = index + 1;
    return el("div", { class: "row-actions" },
      index > 0 ? button("↑", strings.moveUp.replace("{n}", n), move(-1)) : null,
      index < list.length - 1 ? button("↓", strings.moveDown.replace("{n}", n), move(1)) : null,
      button("✕", strings.removeRow.replace("{n}", n), remove, "btn--danger-ghost"));
  };

  const button = (text, label, onClick, extra = "") => {
    const b = el("button", { type: "button", class: `btn btn--small btn--ghost ${extra}`, "aria-label": label, title: label, text });
    b.addEventListener("click", onClick);
    return b;
  };

  const rowsEditor = (name, s, path) => {
    const list = getAt(path) || [];
    const props = Object.entries(s.items.properties || {});
    const simple = props.length <= 6 && props.every(([, p]) => isLeaf(p));
    const title = s.title || name;
    const required = root.required.has(path.join("."));
    const add = button(`+ ${strings.addRow}`, `${strings.addRow}: ${title}`, () => {
      const rows = getAt(path) || [];
      rows.push({});
      setAt(path, rows);
      sync();
      render();
      root.querySelector(`[data-path="${path.join(".")}.${rows.length - 1}"] input, [data-path="${path.join(".")}.${rows.length - 1}"] select, [data-path="${path.join(".")}.${rows.length - 1}"] textarea`)?.focus();
    });
    add.classList.remove("btn--ghost");
    const head = el("legend", {}, title, required ? el("span", { class: "required-mark", text: " *" }) : null,
      el("span", { class: "muted small", text: ` · ${list.length}` }));
    let body;
    if (simple) {
      body = el("div", { class: "table-wrap" }, el("table", { class: "fields-table" },
        el("thead", {}, el("tr", {}, props.map(([k, p]) => el("th", { scope: "col", text: (p.title || k) + (isFraction(p) ? " (%)" : "") })), el("th", { class: "visually-hidden", text: strings.actions }))),
        el("tbody", {}, list.map((row, i) => el("tr", { "data-path": `${path.join(".")}.${i}` },
          props.map(([k, p]) => {
            const cellPath = [...path, i, k];
            const control = p.type === "array" ? linesInput(p, cellPath, nextId()) : scalarInput(k, p, cellPath, nextId());
            control.setAttribute("aria-label", `${p.title || k} ${i + 1}`);
            return el("td", {}, control, errorList(cellPath));
          }),
          el("td", {}, rowButtons(list, i, path)))))));
    } else {
      body = el("ol", { class: "fields-rows" }, list.map((row, i) =>
        el("li", { class: "fields-row", "data-path": `${path.join(".")}.${i}` },
          el("div", { class: "fields-row__head" },
            el("strong", { text: `${i + 1}. ${row.name || row.risk || row.question || row.stage || ""}` }),
            rowButtons(list, i, path)),
          errorList([...path, i]),
          el("div", { class: "fields-grid" }, props.map(([k, p]) => field(k, p, [...path, i, k]))))));
    }
    return el("fieldset", { class: "fields-group fields-group--list", "data-path": path.join(".") },
      head, errorList(path),
      list.length ? body : el("p", { class: "muted small", text: strings.noRows }),
      el("div", {}, add));
  };

  root.required = new Set(readJSON("fields-required", []));

  const render = () => {
    uid = 0;
    root.replaceChildren(
      ...Object.entries(schema.properties || {}).map(([group, groupSchema]) =>
        el("div", { class: "fields-section" },
          el("div", { class: "fields-grid" },
            Object.entries(groupSchema.properties || {}).map(([key, s]) => field(key, s, [group, key]))))));
  };

  render();
  textarea.value = JSON.stringify(state, null, 2);
  return {
    set(value) {
      state = value && typeof value === "object" ? value : {};
      render();
      sync();
    },
  };
}
