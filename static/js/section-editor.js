// Section editor: the structured fields form, the Markdown body with a live preview rendered
// by the server (the same pipeline as a save), Ctrl/Cmd+Enter to save, the completeness of
// required fields, the conflict choices (keep mine, take theirs, merge by hand), and unsaved
// work kept in localStorage until the server has it, with a warning before leaving.
import { FieldsForm, canonical, getIn } from "./fields-form.js";

const readJSON = (id, fallback) => {
  const node = document.getElementById(id);
  if (!node) return fallback;
  try {
    return JSON.parse(node.textContent);
  } catch {
    return fallback;
  }
};

const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));

const splitPath = (path) => path.split(".").map((part) => (/^\d+$/.test(part) ? Number(part) : part));

// localStorage may be disabled or full; the page then still warns before leaving.
const storage = (() => {
  try {
    const store = window.localStorage;
    store.getItem("mlsd-probe");
    return store;
  } catch {
    return null;
  }
})();

const form = document.getElementById("section-form");

if (form) {
  const config = readJSON("editor-config", {});
  const textarea = form.querySelector("textarea[name=body_md]");
  const dataArea = form.querySelector("textarea[name=data]");
  const baseInput = form.querySelector("input[name=base_version]");
  const preview = document.getElementById("preview");
  const status = document.getElementById("preview-status");
  const counter = document.getElementById("char-count");
  const draftStatus = document.getElementById("draft-status");
  const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const limit = Number(form.dataset.limit || 0);
  // A page re-shown after an error or a conflict holds input the server does not have yet.
  const dirtyOnLoad = form.dataset.dirty === "true";
  let submitting = false;
  let previewTimer = null;
  let controller = null;

  // ---------- Structured fields ----------

  let fields = null;
  const fieldsRoot = document.getElementById("fields-form");
  if (fieldsRoot && dataArea) {
    let initial;
    try {
      initial = JSON.parse(dataArea.value.trim() || "{}");
    } catch {
      initial = null;
    }
    if (initial && typeof initial === "object" && !Array.isArray(initial)) {
      fields = new FieldsForm(fieldsRoot, {
        schema: readJSON("fields-schema", {}),
        data: initial,
        config,
        output: dataArea,
        onChange: () => changed(),
      });
      fields.showErrors(readJSON("fields-errors", {}));
      document.getElementById("fields-json").hidden = true;
    } else {
      // The raw JSON stays: it is what the user typed, and they fix it there.
      const note = document.createElement("p");
      note.className = "alert alert--warning";
      note.textContent = fieldsRoot.dataset.unreadable;
      fieldsRoot.append(note);
    }
  }

  // ---------- Completeness of the required fields ----------

  const completeness = document.getElementById("completeness");
  const updateCompleteness = () => {
    if (!fields || !completeness) return;
    const { filled, total, missing } = fields.completeness();
    document.getElementById("completeness-text").textContent = fill(completeness.dataset.template, { filled, total });
    const bar = document.getElementById("completeness-bar");
    bar.value = filled;
    bar.textContent = `${filled}/${total}`;
    const list = document.getElementById("completeness-list");
    list.replaceChildren();
    missing.forEach(({ path, label }, index) => {
      if (index) list.append(", ");
      const link = document.createElement("a");
      link.href = `#${dataArea.id}`;
      link.dataset.path = path;
      link.textContent = label;
      list.append(link);
    });
    document.getElementById("completeness-missing").hidden = missing.length === 0;
  };

  // Links that name a field path (the error summary, the missing fields) go to that field.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-path]");
    if (!link || !fields) return;
    event.preventDefault();
    fields.focusPath(link.dataset.path);
  });

  // ---------- Markdown: counter and live preview ----------

  const setStatus = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle("editor__status--error", isError);
  };

  const updateCounter = () => {
    if (!counter) return;
    const length = textarea.value.length;
    counter.textContent = fill(counter.dataset.template, {
      n: length.toLocaleString(),
      max: limit.toLocaleString(),
    });
    counter.classList.toggle("editor__status--error", limit > 0 && length > limit);
  };

  const renderPreview = async () => {
    controller?.abort();
    controller = new AbortController();
    const body = new FormData();
    body.append("body_md", textarea.value);
    preview.setAttribute("aria-busy", "true");
    setStatus(status.dataset.loading);
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrfToken },
        credentials: "same-origin",
        signal: controller.signal,
      });
      const text = await response.text();
      if (!response.ok) {
        setStatus(response.status === 400 ? text : status.dataset.failed, true);
        return;
      }
      // The server sanitizes the fragment with the same allowlist it uses on save.
      preview.innerHTML = text || `<p class="muted">${status.dataset.empty}</p>`;
      setStatus(status.dataset.ready);
    } catch (error) {
      if (error.name !== "AbortError") setStatus(status.dataset.failed, true);
    } finally {
      preview.removeAttribute("aria-busy");
    }
  };

  const bodyChanged = () => {
    updateCounter();
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(renderPreview, 350);
    changed();
  };

  textarea.addEventListener("input", bodyChanged);

  // ---------- Unsaved work: drafts in localStorage, a warning before leaving ----------

  // Drafts are keyed by document, section and the version they were written on. The document
  // page removes them when the server confirms a save (it is reached with ?saved=<section>).
  const prefix = `mlsd-draft:${config.document}:${config.section}:`;
  const draftKey = () => `${prefix}${baseInput.value}`;
  const snapshot = () => ({
    body: textarea.value,
    data: fields ? canonical(fields.value) : dataArea ? dataArea.value : null,
  });
  const sameAs = (a, b) => a.body === b.body && a.data === b.data;
  const loaded = snapshot();
  const isDirty = () => dirtyOnLoad || !sameAs(snapshot(), loaded);

  const storedDrafts = () => {
    if (!storage) return [];
    const found = [];
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (!key?.startsWith(prefix)) continue;
      try {
        found.push({ key, ...JSON.parse(storage.getItem(key)) });
      } catch {
        storage.removeItem(key);
      }
    }
    return found.sort((a, b) => (b.savedAt || 0) - (a.savedAt || 0));
  };

  const removeDrafts = (keep = null) => {
    for (const draft of storedDrafts()) if (draft.key !== keep) storage.removeItem(draft.key);
  };

  let bannerOpen = false;
  let draftTimer = null;
  const writeDraft = () => {
    window.clearTimeout(draftTimer);
    if (!storage) return;
    if (!isDirty()) {
      // Back to what the server has: nothing to keep.
      storage.removeItem(draftKey());
      if (draftStatus) draftStatus.textContent = "";
      return;
    }
    try {
      storage.setItem(
        draftKey(),
        JSON.stringify({
          body: textarea.value,
          data: fields ? fields.value : dataArea ? dataArea.value : null,
          base: Number(baseInput.value),
          savedAt: Date.now(),
        }),
      );
      // An older draft still on offer stays until the user answers the banner.
      if (!bannerOpen) removeDrafts(draftKey());
      if (draftStatus) draftStatus.textContent = draftStatus.dataset.saved;
    } catch {
      // Storage full: the beforeunload warning still protects the text.
    }
  };
  const saveDraft = () => {
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(writeDraft, 400);
  };

  function changed() {
    updateCompleteness();
    saveDraft();
  }

  const banner = document.getElementById("draft-banner");
  const offerDraft = (draft) => {
    bannerOpen = true;
    banner.hidden = false;
    const when = document.getElementById("draft-when");
    when.textContent = fill(when.dataset.template, { when: new Date(draft.savedAt || Date.now()).toLocaleString() });
    const stale = document.getElementById("draft-stale");
    const current = Number(config.version);
    stale.hidden = !(draft.base < current);
    stale.textContent = fill(stale.dataset.template, { version: draft.base });
    const close = () => {
      bannerOpen = false;
      banner.hidden = true;
      textarea.focus();
    };
    document.getElementById("draft-restore").addEventListener("click", () => {
      textarea.value = draft.body ?? "";
      if (fields && draft.data && typeof draft.data === "object") fields.setValue(draft.data);
      else if (dataArea && typeof draft.data === "string") dataArea.value = draft.data;
      // Saved on an older version, the draft must not silently replace what others saved
      // since: saving it over its own base version shows the conflict view to compare.
      if (draft.base && draft.base < current) baseInput.value = String(draft.base);
      updateCounter();
      renderPreview();
      close();
      removeDrafts();
      writeDraft();
    });
    document.getElementById("draft-discard").addEventListener("click", () => {
      removeDrafts();
      close();
    });
  };

  if (dirtyOnLoad) {
    // The page shows the user's unsaved input (refused, or in conflict): that is the draft now.
    removeDrafts();
    writeDraft();
  } else {
    const [draft] = storedDrafts();
    if (draft) {
      const differs =
        (draft.body ?? "") !== textarea.value ||
        (fields && draft.data && typeof draft.data === "object" && canonical(draft.data) !== canonical(fields.value)) ||
        (!fields && dataArea && typeof draft.data === "string" && draft.data !== dataArea.value);
      if (differs) offerDraft(draft);
      else removeDrafts();
    }
  }

  form.addEventListener("submit", () => {
    if (fields) dataArea.value = fields.json();
    submitting = true;
    // Until the server confirms, the draft stays: an expired session or a conflict loses nothing.
    if (isDirty()) writeDraft();
  });

  window.addEventListener("pagehide", () => {
    if (!submitting && isDirty()) writeDraft();
  });

  window.addEventListener("beforeunload", (event) => {
    if (submitting || !isDirty()) return;
    event.preventDefault();
    event.returnValue = "";
  });

  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // ---------- Conflict: take theirs, keep mine, merge by hand ----------

  const conflict = document.getElementById("conflict");
  if (conflict && config.conflict) {
    document.querySelector("a[data-discard-draft]")?.addEventListener("click", () => {
      submitting = true;
      removeDrafts();
    });
    const merge = document.getElementById("conflict-merge");
    merge.hidden = false;
    merge.addEventListener("click", () => {
      textarea.value = config.conflict.merged;
      bodyChanged();
      let note = document.getElementById("conflict-merged");
      if (!note) {
        note = document.createElement("p");
        note.id = "conflict-merged";
        note.className = "alert alert--info";
        note.setAttribute("role", "status");
        document.getElementById("text").before(note);
      }
      note.textContent = conflict.dataset.merged;
      textarea.focus();
      textarea.scrollIntoView({ block: "center" });
    });
    if (fields) {
      for (const button of conflict.querySelectorAll("button[data-use-theirs]")) {
        button.hidden = false;
        button.addEventListener("click", () => {
          const path = button.dataset.useTheirs;
          fields.setPath(path, getIn(config.conflict.data, splitPath(path)));
          button.disabled = true;
          button.firstChild.textContent = conflict.dataset.used;
        });
      }
    }
  }

  updateCounter();
  updateCompleteness();
  if (dirtyOnLoad) renderPreview();
  if (!conflict) document.getElementById("error-summary")?.focus();
  // A checklist finding links here with ?focus=<field path>.
  const focus = new URLSearchParams(window.location.search).get("focus");
  if (focus && fields) fields.focusPath(focus);
}

// Checklist findings of the saved version, shown beside the fields they name.
{
  const config = JSON.parse(document.getElementById("editor-config")?.textContent || "{}");
  const root = document.getElementById("fields-form");
  for (const finding of config.findings || []) {
    for (const path of finding.field_paths || []) {
      const target = root?.querySelector(`[data-path="${CSS.escape(path)}"]`);
      if (!target) continue;
      const note = document.createElement("p");
      note.className = `ff-finding ff-finding--${finding.severity}`;
      note.textContent = `${finding.rule_id}: ${finding.message}`;
      target.prepend(note);
    }
  }
}
