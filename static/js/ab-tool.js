// A/B calculator: as inputs change, ask the API for the numbers and show them without a reload.
// The page works without this script (the form is a GET that the server answers); here the URL
// is kept in step with the inputs so a result stays linkable.
const form = document.getElementById("ab-form");
const results = document.getElementById("ab-results");
const config = JSON.parse(document.getElementById("ab-config")?.textContent || "null");

if (form && results && config) {
  const text = config.text;
  const numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const csrf = () => document.cookie.match(/(?:^|; )csrftoken=([^;]+)/)?.[1] || "";
  const value = (name) => form.elements[name]?.value.trim() ?? "";
  let timer = null;
  let controller = null;

  const element = (tag, className, content) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  };

  const fieldOf = (name) => form.elements[name]?.closest(".field");

  // Proportions need a baseline rate and may choose a method; means need σ (and μ if relative).
  const syncFields = () => {
    const mean = value("metric_type") === "mean";
    for (const name of ["baseline_rate", "method"]) fieldOf(name)?.toggleAttribute("hidden", mean);
    for (const name of ["baseline_mean", "std_dev"]) fieldOf(name)?.toggleAttribute("hidden", !mean);
    const unit = value("mde_type") !== "absolute" ? "relative" : mean ? "units" : "points";
    const label = fieldOf("mde_value")?.querySelector("label");
    if (label) label.textContent = config.mdeLabels[unit];
  };

  // The same conversions as AbToolForm.to_input: % and percentage points become fractions.
  // Text that is not a number goes to the server as typed, so its answer names the field.
  const number = (name, scale = 1) => {
    const raw = value(name);
    if (raw === "") return null;
    const parsed = Number(raw);
    return Number.isFinite(parsed) ? parsed / scale : raw;
  };

  const payload = () => {
    const mean = value("metric_type") === "mean";
    const relative = value("mde_type") === "relative";
    const body = {
      metric_type: value("metric_type"),
      mde_type: value("mde_type"),
      direction: value("direction"),
      sides: number("sides"),
      method: mean ? "unpooled" : value("method"),
      mde_value: number("mde_value", relative || !mean ? 100 : 1),
      alpha: number("alpha"),
      power: number("power"),
      allocation_control: number("allocation_control", 100),
      allocation_treatment: number("allocation_treatment", 100),
      variance_inflation_factor: number("variance_inflation_factor") ?? 1,
      daily_eligible_units: number("daily_eligible_units"),
    };
    if (mean) {
      body.baseline_mean = number("baseline_mean");
      body.std_dev = number("std_dev");
    } else {
      body.baseline_rate = number("baseline_rate", 100);
    }
    // A required number left empty is sent empty: the answer is "a valid number is required".
    for (const name of ["mde_value", "alpha", "power", "allocation_control", "allocation_treatment"]) {
      if (body[name] === null) body[name] = "";
    }
    return body;
  };

  const clearFieldErrors = () => {
    for (const list of form.querySelectorAll(".field__errors")) list.remove();
    for (const field of form.querySelectorAll(".field--error")) field.classList.remove("field--error");
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  };

  // Errors the form has a field for go next to it; the rest are listed with the result.
  const showFieldErrors = (errors) => {
    const unplaced = [];
    for (const [name, messages] of Object.entries(errors)) {
      const input = form.elements[name];
      const field = fieldOf(name);
      if (!input?.id || !field || field.hidden) {
        unplaced.push(...messages);
        continue;
      }
      const list = element("ul", "field__errors");
      list.id = `${input.id}_error`;
      for (const message of messages) list.append(element("li", "", message));
      field.classList.add("field--error");
      field.append(list);
      input.setAttribute("aria-invalid", "true");
      const described = new Set((input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
      described.add(list.id);
      input.setAttribute("aria-describedby", [...described].join(" "));
    }
    return unplaced;
  };

  const showProblem = (lead, messages = []) => {
    const alert = element("div", "alert alert--error");
    alert.setAttribute("role", "alert");
    const line = element("p");
    line.append(element("strong", "", lead));
    if (lead === text.invalid) line.append(` ${text.fix}`);
    alert.append(line);
    if (messages.length) {
      const list = element("ul");
      for (const message of messages) list.append(element("li", "", message));
      alert.append(list);
    }
    results.replaceChildren(alert);
  };

  const showResult = (body) => {
    const numbers = element("div", "ab-numbers");
    const days = body.computed_days === null ? "—" : numberFormat.format(body.computed_days);
    for (const [label, shown] of [
      [text.control, numberFormat.format(body.n_control)],
      [text.treatment, numberFormat.format(body.n_treatment)],
      [text.total, numberFormat.format(body.n_total)],
      [text.days, days],
    ]) {
      const cell = element("div");
      cell.append(element("span", "label", label), element("strong", "", shown));
      numbers.append(cell);
    }
    const parts = [numbers];
    if (body.computed_days === null) parts.push(element("p", "muted small", text.noDays));
    if (body.warnings.length) {
      const list = element("ul", "ab-warnings");
      for (const warning of body.warnings) list.append(element("li", "", warning));
      parts.push(list);
    }
    parts.push(element("h3", "", text.how), element("pre", "ab-formula", body.formula));
    results.replaceChildren(...parts);
  };

  const refresh = async () => {
    controller?.abort();
    controller = new AbortController();
    const query = new URLSearchParams(new FormData(form));
    window.history.replaceState(null, "", `${form.action}?${query}`);
    results.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(config.api, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrf(),
        },
        body: JSON.stringify(payload()),
        signal: controller.signal,
      });
      clearFieldErrors();
      if (response.status === 429) {
        showProblem(text.throttled);
      } else if (response.ok) {
        showResult(await response.json());
      } else {
        const body = await response.json().catch(() => ({}));
        const unplaced = showFieldErrors(body.errors || {});
        if (!Object.keys(body.errors || {}).length && body.detail) unplaced.push(body.detail);
        showProblem(text.invalid, unplaced);
      }
      results.removeAttribute("aria-busy");
    } catch (error) {
      if (error.name === "AbortError") return;
      results.removeAttribute("aria-busy");
      showProblem(text.offline);
    }
  };

  const schedule = () => {
    syncFields();
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  };

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(timer);
    syncFields();
    refresh();
  });
  form.querySelector(".ab-live-note")?.removeAttribute("hidden");
  syncFields();
}
