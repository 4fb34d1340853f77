// Section editor: structured fields built from the schema, live preview rendered by the server
// (the same pipeline as a save), Ctrl/Cmd+Enter to save, a character counter, unsaved work kept
// in localStorage until the server has it, and a warning before leaving unsaved changes.
import { mountFieldsForm } from "./fields-form.js";

const form = document.querySelector("form[data-preview-url]");

if (form) {
  const textarea = form.querySelector("textarea[name=body_md]");
  const preview = document.getElementById("preview");
  const status = document.getElementById("preview-status");
  const counter = document.getElementById("char-count");
  const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const limit = Number(form.dataset.limit || 0);
  // On a page re-shown after an error or a conflict, the text in the box is not saved yet.
  const dirtyOnLoad = form.dataset.dirty === "true";
  const dataArea = form.querySelector("textarea[name=data]");
  const fieldsRoot = document.getElementById("fields-form");
  let fieldsForm = null;
  const draftKey = `mlsd-draft:${form.dataset.document}:${form.dataset.section}`;
  const snapshot = () => ({ body: textarea.value, data: dataArea ? dataArea.value : null });
  let draftTimer = null;
  const saveDraft = () => {
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(() => {
      try {
        localStorage.setItem(draftKey, JSON.stringify({ ...snapshot(), base: form.dataset.version, at: Date.now() }));
      } catch {
        // Storage full or disabled: the beforeunload warning still protects the text.
      }
    }, 400);
  };
  if (fieldsRoot && dataArea) {
    fieldsForm = mountFieldsForm(fieldsRoot, dataArea, saveDraft);
    document.getElementById("fields-json")?.setAttribute("hidden", "");
  }
  const saved = dirtyOnLoad ? null : JSON.stringify(snapshot());
  let timer = null;
  let controller = null;
  let submitting = false;

  const setStatus = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle("editor__status--error", isError);
  };

  const updateCounter = () => {
    if (!counter) return;
    const length = textarea.value.length;
    counter.textContent = counter.dataset.template
      .replace("{n}", length.toLocaleString())
      .replace("{max}", limit.toLocaleString());
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

  textarea.addEventListener("input", () => {
    saveDraft();
    updateCounter();
    window.clearTimeout(timer);
    timer = window.setTimeout(renderPreview, 350);
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", () => {
    submitting = true;
  });

  window.addEventListener("beforeunload", (event) => {
    if (!submitting && JSON.stringify(snapshot()) !== saved) event.preventDefault();
  });

  // A draft left by a closed tab, an expired session or a failed save: offer it back.
  const banner = document.getElementById("draft-banner");
  let draft = null;
  try {
    draft = JSON.parse(localStorage.getItem(draftKey) || "null");
  } catch {
    draft = null;
  }
  const current = snapshot();
  if (draft && (draft.body !== current.body || (draft.data !== null && draft.data !== current.data))) {
    if (dirtyOnLoad) {
      // The page already shows the user's unsaved input (an error or a conflict).
      saveDraft();
    } else if (banner) {
      banner.hidden = false;
      document.getElementById("draft-restore").addEventListener("click", () => {
        textarea.value = draft.body;
        if (fieldsForm && draft.data) fieldsForm.set(JSON.parse(draft.data));
        banner.hidden = true;
        updateCounter();
        renderPreview();
      });
      document.getElementById("draft-discard").addEventListener("click", () => {
        localStorage.removeItem(draftKey);
        banner.hidden = true;
      });
    }
  }
  document.querySelectorAll("[data-discard-draft]").forEach((link) =>
    link.addEventListener("click", () => {
      submitting = true;
      localStorage.removeItem(draftKey);
    }),
  );

  // Error summary links jump to the field they name.
  document.querySelectorAll("[data-error-path]").forEach((link) =>
    link.addEventListener("click", (event) => {
      event.preventDefault();
      let path = link.dataset.errorPath;
      let target = null;
      while (path && !target) {
        target = document.querySelector(`[data-path="${CSS.escape(path)}"]`);
        path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
      }
      target?.scrollIntoView({ block: "center" });
      (target?.matches("input, select, textarea") ? target : target?.querySelector("input, select, textarea"))?.focus();
    }),
  );
  updateCounter();
  if (dirtyOnLoad) renderPreview();
}
