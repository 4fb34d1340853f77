// Practice interview: the clock shown from the server's state, never from this page's memory.
// The state API answers with the time on the clock at `server_time`; while the clock runs the
// page adds the time since that answer arrived, and asks again every few seconds, so a reload,
// a second browser or the interviewer's screen all show the same clock. The buttons are plain
// forms (they work without JavaScript); here they go through the API instead.
const config = JSON.parse(document.getElementById("interview-config")?.textContent || "null");
const strings = JSON.parse(document.getElementById("interview-strings")?.textContent || "{}");

if (config) {
  const POLL_MS = 4000;
  const csrf = () => document.cookie.match(/(?:^|; )csrftoken=([^;]+)/)?.[1] || "";
  const $ = (selector, root = document) => root.querySelector(selector);
  const fill = (template, values) =>
    Object.entries(values).reduce((text, [key, value]) => text.replaceAll(`{${key}}`, value), template || "");
  const clock = (seconds) => {
    const whole = Math.max(0, Math.floor(seconds));
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  };

  const clockBox = $("#interview-clock");
  const errorBox = $("[data-error]", clockBox);
  const blockNudge = $("[data-block-nudge]", clockBox);
  const overallNudge = $("[data-overall-nudge]", clockBox);
  const forms = Object.fromEntries(
    [...document.querySelectorAll("form[data-action]")].map((form) => [form.dataset.action, form]),
  );

  let state = config.state;
  let receivedAt = performance.now();
  let nudged = { block: state.current_block && currentBlock()?.over_seconds > 0 ? state.current_block : null, overall: state.overrun_seconds > 0 };
  let pollTimer = null;
  let busy = false;

  function currentBlock() {
    return state.blocks.find((block) => block.key === state.current_block) || null;
  }

  // The time on the clock now: the server's answer plus what has passed since it arrived.
  const liveSeconds = () => (state.running ? (performance.now() - receivedAt) / 1000 : 0);

  const showError = (message) => {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  };

  const renderControls = () => {
    const can = state.permissions;
    const started = state.status === "running" || state.status === "paused";
    const last = state.blocks.length && state.current_block === state.blocks[state.blocks.length - 1].key;
    const show = {
      start: state.status === "ready" && can.can_start,
      next: started && can.can_drive && !last,
      pause: state.status === "running" && can.can_drive,
      resume: state.status === "paused" && can.can_drive,
      finish: started && can.can_drive,
    };
    for (const [action, form] of Object.entries(forms)) {
      form.hidden = !show[action];
      for (const button of form.querySelectorAll("button")) button.disabled = busy;
    }
    forms.finish?.querySelector("button")?.classList.toggle("btn--primary", Boolean(last));
    const hidden = forms.next?.querySelector('input[name="block"]');
    if (hidden) hidden.value = state.current_block || "";
  };

  // Everything that changes only when the state does (not every second).
  const renderState = () => {
    clockBox.className = `card interview-clock interview-clock--${state.status}`;
    const status = $("[data-status-label]", clockBox);
    status.textContent = strings.status?.[state.status] || state.status_label;
    status.className = `badge interview-status interview-status--${state.status}`;
    const candidate = $("[data-candidate]");
    if (candidate && state.candidate) candidate.textContent = state.candidate;
    const interviewer = $("[data-interviewer]");
    if (interviewer && state.interviewer) interviewer.textContent = state.interviewer;

    const current = currentBlock();
    for (const [when, visible] of [
      ["current", Boolean(current)],
      ["finished", state.status === "finished"],
      ["ready", state.status === "ready"],
    ]) {
      const node = $(`[data-when="${when}"]`, clockBox);
      if (node) node.hidden = !visible;
    }
    if (current) {
      $("[data-current-prefix]", clockBox).textContent = fill(strings.blockOf, {
        n: current.number,
        total: state.blocks.length,
      });
      $("[data-current-title]", clockBox).textContent = current.title;
      $("[data-current-budget]", clockBox).textContent = clock(current.budget_seconds);
    }
    for (const block of state.blocks) {
      const item = document.getElementById(`block-${block.key}`);
      if (!item) continue;
      const wasCurrent = item.getAttribute("aria-current") === "step";
      item.classList.remove(...["upcoming", "current", "done", "not_reached"].map((p) => `interview-block--${p}`));
      item.classList.add(`interview-block--${block.phase}`);
      if (block.phase === "current") {
        item.setAttribute("aria-current", "step");
        if (!wasCurrent) {
          for (const details of item.querySelectorAll("details")) details.open = true;
        }
      } else {
        item.removeAttribute("aria-current");
      }
      const phase = $("[data-phase]", item);
      phase.textContent = strings.phase?.[block.phase] || block.phase;
      phase.className = `badge badge--plain interview-phase interview-phase--${block.phase}`;
    }
    renderControls();
  };

  // The numbers that move every second while the clock runs, and the nudges.
  const tick = () => {
    const live = liveSeconds();
    const total = state.elapsed_seconds + live;
    $("[data-total]", clockBox).textContent = clock(total);
    $("[data-total-progress]", clockBox).value = Math.min(total, state.budget_seconds);
    const overall = total - state.budget_seconds;
    $("[data-overall-over]", clockBox).hidden = overall <= 0;
    $("[data-overall-over-text]", clockBox).textContent = clock(overall);

    for (const block of state.blocks) {
      const item = document.getElementById(`block-${block.key}`);
      if (!item) continue;
      const elapsed = block.elapsed_seconds + (block.phase === "current" ? live : 0);
      const over = elapsed - block.budget_seconds;
      $("[data-elapsed]", item).textContent = clock(elapsed);
      $("[data-progress]", item).value = Math.min(elapsed, block.budget_seconds);
      $("[data-over]", item).hidden = over <= 0;
      $("[data-over-text]", item).textContent = `+${clock(over)}`;
      item.classList.toggle("interview-block--over", over > 0);
      if (block.phase === "current") {
        $("[data-current-elapsed]", clockBox).textContent = clock(elapsed);
      }
    }

    // A live region announces a nudge once, when it appears; the running numbers stay out of it.
    const current = currentBlock();
    const currentOver = current && current.elapsed_seconds + live > current.budget_seconds;
    if (currentOver && nudged.block !== current.key) {
      blockNudge.textContent = fill(strings.blockNudge, { title: current.title, budget: clock(current.budget_seconds) });
      blockNudge.hidden = false;
      nudged.block = current.key;
    } else if (!currentOver) {
      blockNudge.hidden = true;
      if (nudged.block === current?.key) nudged.block = null;
    }
    const overallOver = overall > 0 && state.status !== "finished";
    if (overallOver && !nudged.overall) {
      overallNudge.textContent = fill(strings.overallNudge, { budget: Math.round(state.budget_seconds / 60) });
      overallNudge.hidden = false;
      nudged.overall = true;
    } else if (!overallOver) {
      overallNudge.hidden = true;
      nudged.overall = false;
    }
  };

  const accept = (next) => {
    state = next;
    receivedAt = performance.now();
    renderState();
    tick();
  };

  const poll = async () => {
    window.clearTimeout(pollTimer);
    try {
      const response = await fetch(config.stateUrl, { headers: { Accept: "application/json" } });
      if (response.status === 403 || response.status === 404) return; // access is gone: stop
      if (response.ok) {
        accept(await response.json());
        showError("");
      }
    } catch {
      showError(strings.offline);
    }
    if (state.status !== "finished") pollTimer = window.setTimeout(poll, POLL_MS);
  };

  const act = async (action) => {
    if (busy) return;
    busy = true;
    renderControls();
    try {
      const body = action === "next" ? { block: state.current_block || "" } : {};
      const response = await fetch(config.actionUrls[action], {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        showError("");
        accept(answer);
        if (action === "finish") {
          window.location.assign(config.summaryUrl);
          return;
        }
        if (action === "next") {
          document.getElementById(`block-${state.current_block}`)?.scrollIntoView({ block: "nearest" });
        }
      } else {
        const messages = Object.values(answer.errors || {}).flat();
        showError(messages.length ? messages.join(" ") : answer.detail);
        poll();
      }
    } catch {
      showError(strings.offline);
    } finally {
      busy = false;
      renderControls();
    }
  };

  for (const [action, form] of Object.entries(forms)) {
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return; // a data-confirm question was declined
      event.preventDefault();
      act(action);
    });
  }

  // N: next block, P: pause or resume — unless the key is typed into a field.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    if (key === "n" && forms.next && !forms.next.hidden) {
      event.preventDefault();
      act("next");
    } else if (key === "p") {
      const form = [forms.pause, forms.resume].find((f) => f && !f.hidden);
      if (form) {
        event.preventDefault();
        act(form.dataset.action);
      }
    }
  });

  // The interviewer's notes: saved as they type (after a pause), on submit, and on leaving.
  for (const form of document.querySelectorAll("form[data-note]")) {
    const field = form.querySelector("textarea");
    const status = form.querySelector("[data-note-status]");
    const url = config.notesUrl.replace("KEY", form.dataset.note);
    let timer = null;
    let saved = field.value;

    const save = async ({ keepalive = false } = {}) => {
      window.clearTimeout(timer);
      timer = null;
      const body = field.value;
      if (body === saved) return;
      status.textContent = strings.saving;
      try {
        const response = await fetch(url, {
          method: "PUT",
          keepalive,
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify({ body }),
        });
        const answer = await response.json().catch(() => ({}));
        if (response.ok) {
          saved = body;
          const time = new Date(answer.updated_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
          status.textContent = fill(strings.savedAt, { time });
        } else {
          const messages = Object.values(answer.errors || {}).flat();
          status.textContent = fill(strings.saveFailed, { reason: messages.join(" ") || answer.detail || response.status });
        }
      } catch {
        status.textContent = fill(strings.saveFailed, { reason: strings.offline });
      }
    };

    field.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 1200);
    });
    field.addEventListener("blur", () => save());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      save();
    });
    window.addEventListener("pagehide", () => {
      if (field.value !== saved) save({ keepalive: true });
    });
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") poll();
  });

  renderState();
  tick();
  window.setInterval(tick, 500);
  if (state.status !== "finished") pollTimer = window.setTimeout(poll, POLL_MS);
}
