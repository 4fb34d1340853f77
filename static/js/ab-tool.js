// A/B calculator: recompute as inputs change by asking the server for the results fragment
// (the same code path as submitting the form), and keep the URL shareable.
const form = document.getElementById("ab-form");

if (form) {
  let timer = null;
  let controller = null;

  const toggleMetricFields = () => {
    const mean = form.elements.metric_type.value === "mean";
    for (const name of ["baseline_rate", "method"]) {
      form.elements[name]?.closest(".field")?.toggleAttribute("hidden", mean);
    }
    for (const name of ["baseline_mean", "std_dev"]) {
      form.elements[name]?.closest(".field")?.toggleAttribute("hidden", !mean);
    }
  };

  const refresh = async () => {
    controller?.abort();
    controller = new AbortController();
    const params = new URLSearchParams(new FormData(form));
    window.history.replaceState(null, "", `${form.action}?${params}`);
    params.set("partial", "1");
    try {
      const response = await fetch(`${form.action}?${params}`, {
        signal: controller.signal,
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const fragment = new DOMParser().parseFromString(await response.text(), "text/html");
      const results = fragment.getElementById("ab-results");
      if (results) document.getElementById("ab-results").replaceWith(results);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  };

  form.addEventListener("input", () => {
    toggleMetricFields();
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  });
  toggleMetricFields();
}
