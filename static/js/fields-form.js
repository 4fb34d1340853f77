// The structured fields of a section as a form, built from the section's JSON Schema.
//
// The form edits a plain object (the state) and writes it, pruned of empty values the way the
// server prunes them, as JSON into the `data` textarea that the server validates. Without
// JavaScript that textarea is shown as it is, so the POST contract never changes.
//
// Per schema node: objects are fieldsets; lists of objects are tables with add, remove and
// reorder; lists of strings are list editors; enums, booleans (yes / no / not set) and
// references to declared names (metrics, splits, entities) are selects; numbers carry their
// unit, and fractions in [0, 1] are shown as percentages. Server errors arrive keyed by path
// (`metrics.items.0.kind`) and are shown next to the element with that `data-path`.

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
};

const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

// Mirrors services.prune_empty: blank strings, nulls, empty lists and objects mean "absent".
export const prune = (value) => {
  if (Array.isArray(value)) return value.map(prune).filter(isFilled);
  if (isObject(value)) {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      const cleaned = prune(item);
      if (isFilled(cleaned)) out[key] = cleaned;
    }
    return out;
  }
  if (typeof value === "string") return value.trim() ? value : "";
  return value;
};

export const isFilled = (value) => {
  if (value === null || value === undefined) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
};

// JSON with sorted keys: two versions of the same fields compare equal whatever their order.
export const canonical = (value) => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
};

export const getIn = (value, path) =>
  path.reduce((node, key) => (node === null || node === undefined ? undefined : node[key]), value);

const splitPath = (path) => (path ? path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : []);
const joinPath = (path) => path.join(".");
const fieldId = (path) => `fld-${joinPath(path).replace(/\./g, "-")}`;
const pattern = (path) => path.map((p) => (typeof p === "number" ? "*" : p)).join(".");

// An enum value as the page's language names it (x-enum-labels), else the code made readable.
const enumLabel = (s, value) => s["x-enum-labels"]?.[value] ?? String(value).replace(/_/g, " ");

const isFraction = (s) =>
  (s.type === "number" || s.type === "integer") && s.minimum === 0 && s.maximum === 1;

const kindOf = (s) => {
  if (s.enum) return "enum";
  switch (s.type) {
    case "object":
      return "object";
    case "array":
      if (s.items?.enum) return "multi";
      if (s.items?.type === "object") return "table";
      return "list";
    case "boolean":
      return "bool";
    case "number":
    case "integer":
      return "number";
    case "string":
      return (s.maxLength || 0) > 300 ? "long" : "text";
    default:
      return "json";
  }
};

// Does the current value fit the widget of its kind? If not, it is shown as JSON so that
// nothing the user (or an older version) wrote is silently dropped.
const fits = (kind, value) => {
  if (value === undefined || value === null) return true;
  if (kind === "object") return isObject(value);
  if (kind === "table") return Array.isArray(value) && value.every((row) => isObject(row) || row === null);
  if (kind === "list" || kind === "multi") return Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null);
  return typeof value !== "object";
};

export class FieldsForm {
  constructor(root, { schema, data, config, output, onChange }) {
    this.root = root;
    this.schema = schema || {};
    this.config = config || {};
    this.output = output;
    this.onChange = onChange;
    this.t = root.dataset;
    this.status = document.getElementById("fields-status");
    this.required = new Set(this.config.required || []);
    this.errors = {};
    this.state = isObject(data) ? prune(structuredClone(data)) : {};
    this.pickers = [];
    root.addEventListener("keydown", (event) => this.#onKeydown(event));
    this.render();
    this.#write();
  }

  // ---- public API ----

  get value() {
    return prune(this.state);
  }

  json() {
    return JSON.stringify(this.value);
  }

  setValue(data) {
    this.state = isObject(data) ? prune(structuredClone(data)) : {};
    this.errors = {};
    this.render();
    this.#changed();
  }

  // Set one path (from a diff) to a value, or remove it when the value is undefined.
  setPath(path, value) {
    const parts = splitPath(path);
    if (value === undefined) this.#remove(parts);
    else this.#set(parts, structuredClone(value));
    this.render();
    this.#changed();
  }

  showErrors(errors) {
    this.errors = { ...(errors || {}) };
    this.#applyErrors();
  }

  // The element that shows `path`: the field itself, or the closest ancestor that is shown.
  targetOf(path) {
    let parts = splitPath(path);
    while (parts.length) {
      const node = this.root.querySelector(`[data-path="${CSS.escape(joinPath(parts))}"]`);
      if (node) return node;
      parts = parts.slice(0, -1);
    }
    return this.root;
  }

  focusPath(path) {
    const target = this.targetOf(path);
    const control = target.matches("input, select, textarea, button")
      ? target
      : target.querySelector("input:not([type=hidden]), select, textarea, button");
    target.closest("details")?.setAttribute("open", "");
    target.scrollIntoView({ block: "center" });
    control?.focus({ preventScroll: true });
  }

  completeness() {
    const value = this.value;
    const required = this.config.required || [];
    const missing = required.filter((path) => !isFilled(getIn(value, splitPath(path))));
    return {
      filled: required.length - missing.length,
      total: required.length,
      missing: missing.map((path) => ({ path, label: this.labelOf(splitPath(path)) })),
    };
  }

  labelOf(path) {
    const labels = [];
    let node = this.schema;
    path.forEach((part, depth) => {
      if (typeof part === "number") {
        labels.push(fill(this.t.row, { n: part + 1 }));
        node = node?.items || {};
        return;
      }
      node = node?.properties?.[part] || {};
      // In a one-group section the group is the section itself: no need to name it.
      if (depth === 0 && Object.keys(this.schema.properties || {}).length === 1) return;
      labels.push(this.#title(part, node, depth));
    });
    return labels.join(" › ");
  }

  // ---- state ----

  #set(path, value) {
    let node = this.state;
    path.slice(0, -1).forEach((key, index) => {
      if (node[key] === null || typeof node[key] !== "object") {
        node[key] = typeof path[index + 1] === "number" ? [] : {};
      }
      node = node[key];
    });
    node[path[path.length - 1]] = value;
  }

  #remove(path) {
    const parent = getIn(this.state, path.slice(0, -1));
    if (parent === null || typeof parent !== "object") return;
    const last = path[path.length - 1];
    if (Array.isArray(parent)) parent[last] = undefined;
    else delete parent[last];
  }

  // A control changed: store the value, forget that field's server error, tell the page.
  #update(path, value) {
    if (value === undefined || value === "") this.#remove(path);
    else this.#set(path, value);
    const key = joinPath(path);
    if (this.errors[key]) {
      delete this.errors[key];
      this.#applyErrors();
    }
    this.#changed();
  }

  #changed() {
    this.#write();
    this.#refreshPickers();
    this.onChange?.();
  }

  #write() {
    if (this.output) this.output.value = this.json();
  }

  #announce(text) {
    if (!this.status) return;
    this.status.textContent = "";
    window.setTimeout(() => {
      this.status.textContent = text;
    }, 50);
  }

  // ---- labels, units, references ----

  #title(name, s, depth = 1) {
    if (s?.title) return s.title;
    if (depth === 0 && this.config.groupTitles?.[name]) return this.config.groupTitles[name];
    const words = String(name).replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  #unit(name, s, parentName = "") {
    if (isFraction(s)) return "%";
    const names = `${name} ${parentName}`.toLowerCase();
    const title = (s.title || "").toLowerCase();
    if (/(^|_)ms\b|_ms(\s|$)|\(ms\)/.test(`${names} ${title}`)) return "ms";
    if (/qps/.test(names)) return this.t.unitQps;
    if (/(^|_)days$/.test(name) || /\(days\)/.test(title)) return this.t.unitDays;
    if (/_mb(\s|$)|\(mb\)/.test(`${names} ${title}`)) return "MB";
    return null;
  }

  // A unit shown beside the input need not be repeated in the label: "p99 (ms)" -> "p99".
  #bareTitle(title, unit) {
    if (!unit) return title;
    return title.replace(/\s*\((ms|mb|%|days?|req\/s|requests\/s)\)\s*$/i, "");
  }

  #reference(path) {
    return this.config.pickers?.[pattern(path)] || null;
  }

  // The names a reference may pick: declared in this form when it declares them (a section
  // that lists metrics replaces the document's list, as on the server), else elsewhere.
  #choices(kind) {
    const source = this.config.sources?.[kind];
    const pseudo = this.config.pseudo?.[kind] || [];
    let names;
    const live = source ? prune(getIn(this.state, splitPath(source))) : undefined;
    if (Array.isArray(live) && live.length) {
      names = live.map((row) => (isObject(row) && typeof row.name === "string" ? row.name : null)).filter(Boolean);
    } else {
      names = (this.config.choices?.[kind] || []).filter((name) => !pseudo.includes(name));
    }
    return [...new Set([...names, ...pseudo])];
  }

  #choiceLabel(kind, name) {
    if (kind !== "metrics") return name;
    const live = getIn(this.state, splitPath(this.config.sources?.metrics || ""));
    const row = Array.isArray(live) ? live.find((m) => isObject(m) && m.name === name) : null;
    const metricKind = row?.kind || this.config.metricKinds?.[name];
    return metricKind ? `${name} (${metricKind})` : name;
  }

  // ---- rendering ----

  render() {
    this.pickers = [];
    const groups = Object.entries(this.schema.properties || {});
    this.root.replaceChildren(
      el("ul", { class: "field__errors ff-errors", "data-errors-for": "data" }),
      ...groups.map(([group, groupSchema]) => this.#group(group, groupSchema)),
    );
    this.#refreshPickers(true);
    this.#applyErrors();
  }

  #group(group, s) {
    const path = [group];
    const value = getIn(this.state, path);
    const body = fits("object", value)
      ? el("div", { class: "ff-grid" }, Object.entries(s.properties || {}).map(([key, sub]) => this.#field(key, sub, [group, key], group)))
      : this.#jsonField(path);
    // A section that writes one group is that group: its fields need no box or legend.
    if (Object.keys(this.schema.properties || {}).length === 1) {
      return el("div", { class: "ff-group ff-group--single", "data-path": group }, this.#errorList(path), body);
    }
    return el(
      "fieldset",
      { class: "ff-group", "data-path": group },
      el("legend", {}, this.#title(group, s, 0), this.#requiredMark(path)),
      this.#errorList(path),
      body,
    );
  }

  #requiredMark(path) {
    if (!this.required.has(joinPath(path))) return null;
    return [
      el("span", { class: "ff-req", "aria-hidden": "true", title: this.t.required, text: "*" }),
      el("span", { class: "visually-hidden", text: ` (${this.t.required})` }),
    ];
  }

  #errorList(path) {
    return el("ul", { class: "field__errors ff-errors", "data-errors-for": joinPath(path), id: `${fieldId(path)}-errors` });
  }

  #help(s, id) {
    return s.description ? el("p", { class: "field__help", id, text: s.description }) : null;
  }

  // One field outside a table: label, control, unit, help, errors.
  #field(name, s, path, parentName) {
    const kind = kindOf(s);
    const value = getIn(this.state, path);
    if (s.readOnly) return this.#readOnly(name, s, path, parentName);
    if (!fits(kind, value)) return this.#wrap(name, s, path, this.#jsonField(path), true);
    if (kind === "object") return this.#object(name, s, path);
    if (kind === "table") return this.#table(name, s, path);
    if (kind === "list") {
      return this.#reference(path) ? this.#checks(name, s, path) : this.#list(name, s, path);
    }
    if (kind === "multi") return this.#checks(name, s, path);
    const unit = kind === "number" ? this.#unit(name, s, parentName) : null;
    const control = this.#control(name, s, path, { unit });
    const wide = (kind === "long" && (s.maxLength || 0) > 1000) || kind === "json";
    return this.#wrap(name, s, path, unit ? this.#withUnit(control, unit) : control, wide, unit);
  }

  #wrap(name, s, path, control, wide = false, unit = null) {
    const id = fieldId(path);
    const title = this.#bareTitle(this.#title(name, s), unit);
    const help = this.#help(s, `${id}-help`);
    const main = control.matches?.("input, select, textarea") ? control : control.querySelector?.("input, select, textarea");
    if (main && help) main.setAttribute("aria-describedby", `${id}-help`);
    return el(
      "div",
      { class: `ff-field${wide ? " ff-field--wide" : ""}`, "data-path": joinPath(path) },
      el("label", { for: id }, title, this.#requiredMark(path)),
      control,
      help,
      el("p", { class: "ff-local field__errors", "aria-live": "polite" }),
      this.#errorList(path),
    );
  }

  #withUnit(control, unit) {
    return el("div", { class: "ff-unit" }, control, el("span", { class: "ff-unit__label", "aria-hidden": "true", text: unit }));
  }

  #readOnly(name, s, path, parentName) {
    const value = getIn(this.state, path);
    let shown;
    if (!isFilled(value)) shown = `— ${this.t.computed}`;
    else if (isObject(value)) {
      shown = Object.entries(value)
        .map(([key, item]) => `${this.#title(key, s.properties?.[key] || {})}: ${typeof item === "number" ? item.toLocaleString() : item}`)
        .join(" · ");
    } else {
      const unit = this.#unit(name, s, parentName);
      shown = typeof value === "number" ? `${value.toLocaleString()}${unit ? ` ${unit}` : ""}` : String(value);
    }
    return el(
      "div",
      { class: "ff-field ff-field--readonly", "data-path": joinPath(path) },
      el("span", { class: "ff-label", text: this.#title(name, s) }),
      el("output", { class: "ff-readonly", text: shown }),
      el("p", { class: "field__help", text: this.t.computed }),
      this.#errorList(path),
    );
  }

  #object(name, s, path) {
    return el(
      "fieldset",
      { class: "ff-subgroup ff-field--wide", "data-path": joinPath(path) },
      el("legend", {}, this.#title(name, s), this.#requiredMark(path)),
      this.#help(s, `${fieldId(path)}-help`),
      this.#errorList(path),
      el("div", { class: "ff-grid" }, Object.entries(s.properties || {}).map(([key, sub]) => this.#field(key, sub, [...path, key], name))),
    );
  }

  // A scalar control bound to `path`: select, text input, textarea or number input.
  #control(name, s, path, { label = null, unit = null, inCell = false } = {}) {
    const kind = kindOf(s);
    const value = getIn(this.state, path);
    const attrs = {
      id: fieldId(path),
      "aria-label": label,
      "aria-required": this.required.has(joinPath(path)) ? "true" : null,
    };
    const reference = this.#reference(path);
    if (reference) return this.#picker(reference, path, attrs);
    if (kind === "enum") {
      const select = el("select", attrs, el("option", { value: "", text: this.t.unset }));
      const options = [...s.enum];
      if (value !== undefined && value !== null && !options.some((option) => option === value)) options.push(value);
      options.forEach((option, index) => {
        const known = s.enum.includes(option);
        const text = enumLabel(s, option);
        select.append(el("option", { value: String(index), text: known ? text : fill(this.t.notInList, { value: option }), selected: option === value }));
      });
      select.addEventListener("change", () => this.#update(path, select.value === "" ? undefined : options[Number(select.value)]));
      return select;
    }
    if (kind === "bool") {
      const select = el(
        "select",
        attrs,
        el("option", { value: "", text: this.t.unset }),
        el("option", { value: "true", text: this.t.yes, selected: value === true }),
        el("option", { value: "false", text: this.t.no, selected: value === false }),
      );
      select.addEventListener("change", () => this.#update(path, select.value === "" ? undefined : select.value === "true"));
      return select;
    }
    if (kind === "number") return this.#number(s, path, attrs, unit);
    if (kind === "long") {
      const area = el("textarea", { ...attrs, rows: inCell ? 2 : (s.maxLength || 0) > 1000 ? 3 : 2, maxlength: s.maxLength });
      area.value = value ?? "";
      area.addEventListener("input", () => this.#update(path, area.value));
      return area;
    }
    if (kind === "json") return this.#jsonField(path, attrs);
    const input = el("input", { ...attrs, type: "text", maxlength: s.maxLength, value: value ?? "" });
    input.addEventListener("input", () => this.#update(path, input.value));
    return input;
  }

  // Numbers are typed as text (a comma decimal works, "fast" is kept and reported rather than
  // silently dropped); fractions are shown and typed as percentages.
  #number(s, path, attrs, unit) {
    const value = getIn(this.state, path);
    const percent = isFraction(s);
    let shown = value ?? "";
    if (typeof value === "number" && percent) shown = +(value * 100).toPrecision(12);
    const input = el("input", {
      ...attrs,
      type: "text",
      inputmode: s.type === "integer" && !percent ? "numeric" : "decimal",
      autocomplete: "off",
      class: "ff-number",
      "data-unit": unit,
      value: String(shown),
    });
    input.addEventListener("input", () => {
      const parsed = parseNumber(input.value);
      const local = input.closest("[data-path]")?.querySelector(":scope > .ff-local");
      if (typeof parsed === "string" && parsed.trim()) {
        input.setAttribute("aria-invalid", "true");
        if (local) local.textContent = this.t.notANumber;
      } else {
        if (!this.errors[joinPath(path)]) input.removeAttribute("aria-invalid");
        if (local) local.textContent = "";
      }
      if (typeof parsed === "number" && percent) this.#update(path, +(parsed / 100).toPrecision(12));
      else this.#update(path, parsed);
    });
    return input;
  }

  #picker(kind, path, attrs) {
    const select = el("select", { ...attrs, "data-ref": kind });
    select.addEventListener("change", () => this.#update(path, select.value === "" ? undefined : select.value));
    this.pickers.push({ kind, path, node: select, signature: null });
    return select;
  }

  // Re-list the choices of every picker (a metric renamed in this form shows at once).
  #refreshPickers(force = false) {
    this.pickers = this.pickers.filter((picker) => picker.node.isConnected);
    for (const picker of this.pickers) {
      const names = this.#choices(picker.kind);
      const current = getIn(this.state, picker.path);
      const signature = canonical([names.map((n) => this.#choiceLabel(picker.kind, n)), current]);
      if (!force && signature === picker.signature) continue;
      picker.signature = signature;
      if (picker.node.tagName === "SELECT") this.#fillSelect(picker, names, current);
      else this.#fillChecks(picker, names, current);
    }
  }

  #fillSelect({ kind, node }, names, current) {
    const options = [el("option", { value: "", text: names.length ? this.t.unset : this.t.noChoices })];
    for (const name of names) {
      options.push(el("option", { value: name, text: this.#choiceLabel(kind, name), selected: name === current }));
    }
    if (isFilled(current) && !names.includes(current)) {
      options.push(el("option", { value: current, text: fill(this.t.notDeclared, { value: current }), selected: true }));
    }
    node.replaceChildren(...options);
  }

  #fillChecks({ kind, node, path }, names, current) {
    const picked = Array.isArray(current) ? current : [];
    const all = [...new Set([...names, ...picked.filter((v) => typeof v === "string")])];
    const boxes = all.map((name, index) => {
      const box = el("input", { type: "checkbox", id: `${fieldId(path)}-${index}`, value: name, checked: picked.includes(name) });
      box.addEventListener("change", () => {
        const chosen = [...node.querySelectorAll("input:checked")].map((b) => b.value);
        this.#update(path, chosen.length ? chosen : undefined);
      });
      const text = names.includes(name) ? this.#choiceLabel(kind, name) : fill(this.t.notDeclared, { value: name });
      return el("label", { class: "ff-check", for: box.id }, box, ` ${text}`);
    });
    node.replaceChildren(...(boxes.length ? boxes : [el("span", { class: "muted small", text: this.t.noChoices })]));
  }

  // A list of choices (enum items, or names declared elsewhere) as checkboxes.
  #checks(name, s, path) {
    const node = el("div", { class: "ff-checks", role: "group", "aria-labelledby": `${fieldId(path)}-label` });
    const reference = this.#reference(path);
    if (reference) {
      this.pickers.push({ kind: reference, path, node, signature: null });
    } else {
      const picked = getIn(this.state, path) || [];
      const options = [...s.items.enum, ...picked.filter((v) => !s.items.enum.includes(v))];
      options.forEach((option, index) => {
        const box = el("input", { type: "checkbox", id: `${fieldId(path)}-${index}`, checked: picked.includes(option) });
        box.addEventListener("change", () => {
          const chosen = options.filter((_, i) => node.querySelector(`#${CSS.escape(`${fieldId(path)}-${i}`)}`)?.checked);
          this.#update(path, chosen.length ? chosen : undefined);
        });
        const text = s.items.enum.includes(option) ? enumLabel(s.items, option) : fill(this.t.notInList, { value: option });
        node.append(el("label", { class: "ff-check", for: box.id }, box, ` ${text}`));
      });
    }
    return el(
      "div",
      { class: "ff-field ff-field--wide", "data-path": joinPath(path) },
      el("span", { class: "ff-label", id: `${fieldId(path)}-label` }, this.#title(name, s), this.#requiredMark(path)),
      node,
      this.#help(s, `${fieldId(path)}-help`),
      this.#errorList(path),
    );
  }

  // Anything the form cannot show as widgets: edited as JSON, kept as text until it parses.
  #jsonField(path, attrs = {}) {
    const value = getIn(this.state, path);
    const area = el("textarea", { id: fieldId(path), rows: 4, class: "mono", spellcheck: "false", ...attrs });
    area.value = value === undefined ? "" : JSON.stringify(value, null, 2);
    const note = el("p", { class: "field__help", text: this.t.asJson });
    area.addEventListener("input", () => {
      if (!area.value.trim()) return this.#update(path, undefined);
      try {
        this.#update(path, JSON.parse(area.value));
        note.textContent = this.t.asJson;
      } catch {
        note.textContent = this.t.badJson;
        this.#update(path, area.value);
      }
    });
    return el("div", { class: "ff-json" }, area, note);
  }

  // ---- lists of strings ----

  #list(name, s, path) {
    const title = this.#title(name, s);
    const items = getIn(this.state, path) || [];
    const labelId = `${fieldId(path)}-label`;
    const max = s.maxItems;
    const list = el(
      "ol",
      { class: "ff-list", "aria-labelledby": labelId },
      items.map((item, index) => {
        const itemPath = [...path, index];
        const input = el("input", {
          type: "text",
          id: fieldId(itemPath),
          value: item ?? "",
          maxlength: s.items?.maxLength,
          "aria-label": fill(this.t.itemLabel, { title, n: index + 1 }),
          "data-list-item": "",
        });
        input.addEventListener("input", () => this.#update(itemPath, input.value));
        return el(
          "li",
          { "data-path": joinPath(itemPath) },
          el("div", { class: "ff-list__row" }, input, this.#moveButtons(path, index, items.length, "item", s, name)),
          this.#errorList(itemPath),
        );
      }),
    );
    const add = el("button", {
      type: "button",
      class: "btn btn--small ff-add",
      "aria-label": fill(this.t.addItemTo, { title }),
      disabled: max !== undefined && items.length >= max,
    }, `+ ${this.t.addItem}`);
    add.addEventListener("click", () => this.#insert(path, items.length, "", s, name));
    const wrapper = el(
      "div",
      { class: "ff-field ff-field--wide ff-listfield", "data-path": joinPath(path) },
      el("span", { class: "ff-label", id: labelId }, title, this.#requiredMark(path)),
      this.#help(s, `${fieldId(path)}-help`),
      this.#errorList(path),
      items.length ? list : el("p", { class: "muted small ff-empty", text: this.t.noItems }),
      add,
    );
    wrapper.dataset.kind = "list";
    return wrapper;
  }

  // ---- lists of objects: tables ----

  #table(name, s, path) {
    const title = this.#title(name, s);
    const rows = getIn(this.state, path) || [];
    const columns = Object.entries(s.items?.properties || {});
    const labelId = `${fieldId(path)}-label`;
    const max = s.maxItems;
    const head = el(
      "tr",
      {},
      el("th", { scope: "col", class: "ff-rows__num" }, el("span", { class: "visually-hidden", text: this.t.row.replace("{n}", "") }), "#"),
      columns.map(([key, col]) => {
        const unit = kindOf(col) === "number" ? this.#unit(key, col, name) : null;
        const colTitle = this.#bareTitle(this.#title(key, col), unit);
        return el(
          "th",
          { scope: "col", class: `ff-col--${kindOf(col)}`, title: col.description || null },
          colTitle,
          unit ? el("span", { class: "ff-rows__unit", text: ` (${unit})` }) : null,
          this.#requiredMark([...path, "*", key]),
        );
      }),
      el("th", { scope: "col", class: "ff-rows__actions" }, el("span", { class: "visually-hidden", text: this.t.actions })),
    );
    const body = el(
      "tbody",
      {},
      rows.map((row, index) => {
        const rowPath = [...path, index];
        return el(
          "tr",
          { "data-path": joinPath(rowPath) },
          el("th", { scope: "row", class: "ff-rows__num" }, String(index + 1)),
          columns.map(([key, col]) => this.#cell(key, col, [...rowPath, key], index, name)),
          el("td", { class: "ff-rows__actions" }, this.#moveButtons(path, index, rows.length, "row", s, name)),
        );
      }),
    );
    const add = el("button", {
      type: "button",
      class: "btn btn--small ff-add",
      "aria-label": fill(this.t.addRowTo, { title }),
      disabled: max !== undefined && rows.length >= max,
    }, `+ ${this.t.addRow}`);
    add.addEventListener("click", () => this.#insert(path, rows.length, {}, s, name));
    const wrapper = el(
      "div",
      { class: "ff-field ff-field--wide ff-tablefield", "data-path": joinPath(path) },
      el(
        "div",
        { class: "ff-tablefield__head" },
        el("span", { class: "ff-label", id: labelId }, title, this.#requiredMark(path)),
        max ? el("span", { class: "small muted", text: fill(this.t.count, { count: rows.length, max }) }) : null,
      ),
      this.#help(s, `${fieldId(path)}-help`),
      this.#errorList(path),
      rows.length
        ? el(
            "div",
            { class: "ff-rows-wrap", role: "region", "aria-labelledby": labelId, tabindex: "0" },
            el("table", { class: "ff-rows" }, el("caption", { class: "visually-hidden", text: title }), el("thead", {}, head), body),
          )
        : el("p", { class: "muted small ff-empty", text: this.t.noRows }),
      add,
    );
    wrapper.dataset.kind = "table";
    return wrapper;
  }

  #cell(key, col, path, index, parentName) {
    const kind = kindOf(col);
    const value = getIn(this.state, path);
    const title = this.#title(key, col);
    const label = fill(this.t.cellLabel, { title, n: index + 1 });
    let control;
    if (col.readOnly) {
      control = el("output", { class: "ff-readonly", text: isFilled(value) ? String(value) : "—" });
    } else if (!fits(kind, value) || kind === "table") {
      control = this.#jsonField(path, { "aria-label": label });
    } else if (kind === "object") {
      const group = el(
        "div",
        { class: "ff-cellgroup" },
        Object.entries(col.properties || {}).map(([subKey, sub]) => {
          const subPath = [...path, subKey];
          const subKind = kindOf(sub);
          const unit = subKind === "number" ? this.#unit(subKey, sub, key) : null;
          const subTitle = this.#bareTitle(this.#title(subKey, sub), unit);
          const inner = !fits(subKind, getIn(this.state, subPath)) || ["object", "table", "list", "multi"].includes(subKind)
            ? this.#jsonField(subPath, { "aria-label": `${subTitle}, ${label}` })
            : this.#control(subKey, sub, subPath, { label: `${subTitle}, ${label}`, unit, inCell: true });
          return el(
            "div",
            { class: "ff-mini", "data-path": joinPath(subPath) },
            el("label", { for: fieldId(subPath) }, subTitle),
            unit ? this.#withUnit(inner, unit) : inner,
            el("p", { class: "ff-local field__errors", "aria-live": "polite" }),
            this.#errorList(subPath),
          );
        }),
      );
      const shown = el("span", { class: "ff-cellobject__value" });
      const details = el(
        "details",
        { class: "ff-cellobject" },
        el("summary", {}, el("span", { class: "visually-hidden", text: `${label}: ` }), shown),
        group,
      );
      const refresh = () => {
        const text = this.#summary(col, getIn(this.state, path));
        shown.textContent = text || this.t.notSet;
        shown.classList.toggle("muted", !text);
      };
      details.addEventListener("input", refresh);
      details.addEventListener("change", refresh);
      refresh();
      control = details;
    } else if (kind === "list" || kind === "multi") {
      control = this.#lines(col, path, label);
    } else {
      const unit = kind === "number" ? this.#unit(key, col, parentName) : null;
      const input = this.#control(key, col, path, { label, unit, inCell: true });
      control = unit ? this.#withUnit(input, unit) : input;
    }
    return el(
      "td",
      { class: `ff-col--${kind}`, "data-path": joinPath(path), "data-label": title },
      control,
      el("p", { class: "ff-local field__errors", "aria-live": "polite" }),
      this.#errorList(path),
    );
  }

  // A group of fields in one line: "≥ · 0.02 · relative change · control".
  #summary(s, value) {
    if (!isObject(value)) return "";
    const parts = [];
    for (const [key, sub] of Object.entries(s.properties || {})) {
      const item = value[key];
      if (!isFilled(item)) continue;
      if (typeof item === "number" && isFraction(sub)) parts.push(`${+(item * 100).toPrecision(12)} %`);
      else if (typeof item === "number") parts.push(item.toLocaleString());
      else if (Array.isArray(item)) parts.push(item.join(", "));
      else if (typeof item === "boolean") parts.push(`${this.#title(key, sub)}: ${item ? this.t.yes : this.t.no}`);
      else parts.push(String(item).replace(/_/g, " "));
    }
    return parts.join(" · ");
  }

  // A list of strings inside a table cell: one per line.
  #lines(s, path, label) {
    const value = getIn(this.state, path) || [];
    const area = el("textarea", { id: fieldId(path), rows: Math.max(2, Math.min(value.length + 1, 6)), "aria-label": `${label} (${this.t.onePerLine})`, placeholder: this.t.onePerLine });
    area.value = value.join("\n");
    area.addEventListener("input", () => {
      const lines = area.value.split("\n").map((line) => line.trim()).filter(Boolean);
      this.#update(path, lines.length ? lines : undefined);
    });
    return area;
  }

  // ---- add, remove, reorder (rows of tables and items of lists) ----

  #moveButtons(path, index, count, what, s, name) {
    const n = index + 1;
    const strings = what === "row"
      ? { up: this.t.moveUp, down: this.t.moveDown, remove: this.t.removeRow }
      : { up: this.t.itemUp, down: this.t.itemDown, remove: this.t.removeItem };
    const button = (text, label, action, extra, disabled) => {
      const node = el("button", { type: "button", class: `btn btn--small ff-action ${extra}`, "aria-label": fill(label, { n }), title: fill(label, { n }), "data-action": action, disabled }, text);
      node.addEventListener("click", () => this.#act(path, index, action, s, name));
      return node;
    };
    return el(
      "div",
      { class: "ff-actions" },
      button("↑", strings.up, "up", "", index === 0),
      button("↓", strings.down, "down", "", index === count - 1),
      button("✕", strings.remove, "remove", "ff-action--remove", false),
    );
  }

  #act(path, index, action, s, name) {
    const list = getIn(this.state, path);
    if (!Array.isArray(list)) return;
    this.#dropErrorsUnder(path);
    let focusIndex = index;
    if (action === "up" || action === "down") {
      const to = action === "up" ? index - 1 : index + 1;
      if (to < 0 || to >= list.length) return;
      const [row] = list.splice(index, 1);
      list.splice(to, 0, row);
      focusIndex = to;
      this.#rerender(path, s, name);
      this.#changed();
      this.#focusAction(path, focusIndex, action);
      this.#announce(fill(this.t.moved, { n: to + 1 }));
      return;
    }
    list.splice(index, 1);
    if (!list.length) this.#remove(path);
    this.#rerender(path, s, name);
    this.#changed();
    const left = getIn(this.state, path)?.length || 0;
    if (left) this.#focusAction(path, Math.min(index, left - 1), "remove");
    else this.targetOf(joinPath(path)).querySelector(".ff-add")?.focus();
    this.#announce(this.t.removed);
  }

  #insert(path, index, blank, s, name) {
    const list = getIn(this.state, path);
    if (Array.isArray(list)) list.splice(index, 0, blank);
    else this.#set(path, [blank]);
    this.#rerender(path, s, name);
    this.#changed();
    const row = this.root.querySelector(`[data-path="${CSS.escape(joinPath([...path, index]))}"]`);
    row?.querySelector("input, select, textarea")?.focus();
    if (Array.isArray(blank) || isObject(blank)) this.#announce(fill(this.t.added, { n: index + 1 }));
  }

  #focusAction(path, index, action) {
    const row = this.root.querySelector(`[data-path="${CSS.escape(joinPath([...path, index]))}"]`);
    if (!row) return;
    const wanted = row.querySelector(`[data-action="${action}"]:not([disabled])`);
    (wanted || row.querySelector("[data-action]:not([disabled])"))?.focus();
  }

  // Re-render one table or list in place: the rest of the form keeps its focus and scroll.
  #rerender(path, s, name) {
    const old = this.root.querySelector(`[data-path="${CSS.escape(joinPath(path))}"]`);
    const kind = kindOf(s);
    const fresh = kind === "table" ? this.#table(name, s, path) : this.#list(name, s, path);
    if (old) old.replaceWith(fresh);
    else this.render();
    this.#applyErrors();
  }

  #dropErrorsUnder(path) {
    const prefix = `${joinPath(path)}.`;
    for (const key of Object.keys(this.errors)) if (key.startsWith(prefix)) delete this.errors[key];
  }

  // Enter in a single-line input would submit the whole form; in a list it adds an item.
  #onKeydown(event) {
    if (event.key !== "Enter" || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    event.preventDefault();
    if (!target.hasAttribute("data-list-item")) return;
    const item = target.closest("li[data-path]");
    const listField = target.closest("[data-kind=list]");
    if (!item || !listField) return;
    const path = splitPath(listField.dataset.path);
    const index = Number(item.dataset.path.split(".").pop());
    const s = path.reduce((node, part) => node?.properties?.[part], this.schema);
    if (s && (s.maxItems === undefined || (getIn(this.state, path) || []).length < s.maxItems)) {
      this.#insert(path, index + 1, "", s, path[path.length - 1]);
    }
  }

  // ---- server errors ----

  #applyErrors() {
    for (const list of this.root.querySelectorAll(".ff-errors")) list.replaceChildren();
    for (const node of this.root.querySelectorAll("[data-server-invalid]")) {
      node.removeAttribute("data-server-invalid");
      node.removeAttribute("aria-invalid");
      const described = (node.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-errors"));
      if (described.length) node.setAttribute("aria-describedby", described.join(" "));
      else node.removeAttribute("aria-describedby");
    }
    for (const [path, messages] of Object.entries(this.errors)) {
      let target = this.targetOf(path);
      let prefix = "";
      if (target.tagName === "TR") {
        // A row-level error (an unknown field in a row) is shown above its table.
        prefix = `${fill(this.t.row, { n: Number(target.dataset.path.split(".").pop()) + 1 })}: `;
        target = target.closest("[data-kind=table]") || this.root;
      }
      const list = target === this.root
        ? this.root.querySelector(":scope > .ff-errors")
        : target.querySelector(":scope > .ff-errors") || target.querySelector(".ff-errors");
      if (!list) continue;
      const control = target.matches?.("input, select, textarea")
        ? target
        : target.querySelector(":scope > input, :scope > select, :scope > textarea, :scope > .ff-unit > input, :scope > .ff-json > textarea, :scope > .ff-cellgroup input");
      const percent = control?.dataset?.unit === "%";
      for (const message of messages) {
        list.append(el("li", { text: prefix + (percent ? asPercent(message) : message) }));
      }
      list.closest("details")?.setAttribute("open", "");
      if (control && list.id) {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("data-server-invalid", "");
        const described = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
        described.add(list.id);
        control.setAttribute("aria-describedby", [...described].join(" "));
      }
    }
  }
}

// "1 234,5" and "1,234.5" and "0,05" are numbers; anything else stays text for the server to
// refuse with a message, rather than being dropped.
export function parseNumber(text) {
  const raw = String(text);
  let t = raw.trim().replace(/[\s_\u00a0\u202f]/g, "");
  if (!t) return undefined;
  if (/^[-+]?\d+,\d+$/.test(t) && !/^[-+]?\d{1,3},\d{3}$/.test(t)) t = t.replace(",", ".");
  else t = t.replace(/,(?=\d{3}(\D|$))/g, "");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return raw;
  const number = Number(t);
  return Number.isFinite(number) ? number : raw;
}

// Server messages speak in fractions ("Must be at most 1."); a percentage field says 100 %.
function asPercent(message) {
  return message.replace(/(-?\d+(?:\.\d+)?)(?=\.?\s*$)/, (number) => `${+(Number(number) * 100).toPrecision(12)} %`);
}
