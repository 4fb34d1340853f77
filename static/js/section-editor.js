// Section editor: live preview rendered by the server (the same pipeline as a save),
// Ctrl/Cmd+Enter to save, a character counter and a warning before leaving unsaved text.
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
  const saved = dirtyOnLoad ? null : textarea.value;
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
    if (!submitting && textarea.value !== saved) event.preventDefault();
  });

  updateCounter();
  if (dirtyOnLoad) renderPreview();
}
