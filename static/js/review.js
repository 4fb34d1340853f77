// Document page, review: select text in a section to comment on that passage. A floating
// button opens the section's comment box with the passage quoted; Escape dismisses it.
const button = document.createElement("button");
button.type = "button";
button.className = "btn btn--small btn--primary quote-button";
button.textContent =
  document.querySelector("[data-quote-label]")?.dataset.quoteLabel || "Comment on selection";
button.hidden = true;
document.body.append(button);

let pending = null;

function selectionInSection() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
  const text = selection.toString().replace(/\s+/g, " ").trim();
  if (!text || text.length > 1000) return null;
  const range = selection.getRangeAt(0);
  const container = range.commonAncestorContainer;
  const element = container.nodeType === Node.ELEMENT_NODE ? container : container.parentElement;
  const prose = element && element.closest(".doc-section > .prose");
  if (!prose) return null;
  return { text, range, section: prose.closest(".doc-section") };
}

function hide() {
  button.hidden = true;
  pending = null;
}

document.addEventListener("selectionchange", () => {
  const found = selectionInSection();
  if (!found) return hide();
  const box = found.section.querySelector("[data-thread-new]");
  if (!box) return hide();
  pending = { ...found, box };
  const rect = found.range.getBoundingClientRect();
  button.style.top = `${window.scrollY + rect.bottom + 6}px`;
  button.style.left = `${window.scrollX + Math.max(8, rect.left)}px`;
  button.hidden = false;
});

button.addEventListener("mousedown", (event) => event.preventDefault());
button.addEventListener("click", () => {
  if (!pending) return;
  const { box, text } = pending;
  const quoteField = box.querySelector("[data-quote-field]");
  quoteField.hidden = false;
  quoteField.querySelector("textarea").value = text;
  box.open = true;
  box.querySelector("textarea[name=body]").focus();
  window.getSelection().removeAllRanges();
  hide();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") hide();
});

// Reply boxes grow as people type.
for (const textarea of document.querySelectorAll(".thread__reply textarea")) {
  textarea.addEventListener("input", () => {
    textarea.rows = Math.min(8, Math.max(1, textarea.value.split("\n").length));
  });
}
