// The A/B designer in the ab_test section: as the plan's inputs change, ask the server's
// calculator (the same code that stores the numbers on save) and show n per arm, days and the
// formula with the numbers substituted. Errors name the input, never NaN or infinity.
const panel = document.getElementById("ab-designer");
const dataArea = document.querySelector("textarea[name=data]");
const config = JSON.parse(document.getElementById("editor-config")?.textContent || "{}");

if (panel && dataArea) {
  const numbers = document.getElementById("ab-designer-numbers");
  const formula = document.getElementById("ab-designer-formula");
  const messages = document.getElementById("ab-designer-messages");
  const csrf = () => document.cookie.match(/(?:^|; )csrftoken=([^;]+)/)?.[1] || "";
  let timer = null;
  let controller = null;
  let last = "";

  const show = (texts, isError) => {
    messages.replaceChildren(...texts.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      if (isError) item.className = "ab-error";
      return item;
    }));
  };

  const payloadOf = (plan) => {
    const mde = plan.mde || {};
    const allocation = plan.allocation || {};
    const payload = {
      metric_type: plan.metric_type,
      mde_value: mde.value,
      mde_type: mde.type,
      alpha: plan.alpha,
      power: plan.power,
      sides: plan.sides ?? 2,
      direction: (config.metricDirections || {})[plan.primary_metric] || "increase",
      allocation_control: allocation.control,
      allocation_treatment: allocation.treatment,
      method: plan.method || "unpooled",
      variance_inflation_factor: plan.variance_inflation_factor ?? 1,
      baseline_rate: plan.baseline_rate ?? null,
      baseline_mean: plan.baseline_mean ?? null,
      std_dev: plan.std_dev ?? null,
      daily_eligible_units: plan.daily_eligible_units ?? null,
    };
    const needed = ["metric_type", "mde_value", "mde_type", "alpha", "power", "allocation_control", "allocation_treatment"];
    return needed.every((key) => payload[key] !== undefined) ? payload : null;
  };

  const compute = async () => {
    let plan;
    try {
      plan = JSON.parse(dataArea.value || "{}").ab_test || {};
    } catch {
      return;
    }
    if (plan.status === "not_applicable") {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    const payload = payloadOf(plan);
    const key = JSON.stringify(payload);
    if (key === last) return;
    last = key;
    if (!payload) {
      numbers.hidden = true;
      formula.hidden = true;
      show([panel.dataset.incomplete], false);
      return;
    }
    controller?.abort();
    controller = new AbortController();
    try {
      const response = await fetch(panel.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: key,
        signal: controller.signal,
      });
      const body = await response.json();
      if (!response.ok) {
        numbers.hidden = true;
        formula.hidden = true;
        show(Object.entries(body.errors || {}).map(([field, errs]) => `${field}: ${errs.join(" ")}`), true);
        return;
      }
      for (const node of numbers.querySelectorAll("[data-ab]")) {
        const value = body[node.dataset.ab];
        node.textContent = value === null || value === undefined ? "—" : Number(value).toLocaleString();
      }
      numbers.hidden = false;
      formula.textContent = body.formula;
      formula.hidden = false;
      show(body.warnings || [], false);
    } catch (error) {
      if (error.name !== "AbortError") show([String(error)], true);
    }
  };

  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(compute, 250);
  };
  document.addEventListener("input", schedule);
  document.addEventListener("change", schedule);
  compute();
}
