// Export page: poll the job row until it is done or failed, then offer the download.
const box = document.getElementById("export-job");
if (box) {
  const labels = {
    queued: box.dataset.labelQueued,
    rendering: box.dataset.labelRendering,
    done: box.dataset.labelDone,
    failed: box.dataset.labelFailed,
  };
  const status = box.querySelector("[data-status]");
  const progress = box.querySelector("[data-progress]");
  const error = box.querySelector("[data-error]");
  const download = box.querySelector("[data-download]");
  let delay = 700;

  const show = (job) => {
    status.textContent = labels[job.status] || job.status_label;
    status.className = `export-job__status export-job__status--${job.status}`;
    const finished = job.status === "done" || job.status === "failed";
    progress.hidden = finished;
    error.hidden = job.status !== "failed";
    error.textContent = job.error || "";
    download.hidden = job.status !== "done";
    return finished;
  };

  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok && show(await response.json())) return;
    } catch {
      // A network hiccup: try again a little later.
    }
    delay = Math.min(delay * 1.5, 5000);
    window.setTimeout(poll, delay);
  };

  if (!progress.hidden) window.setTimeout(poll, delay);
}
