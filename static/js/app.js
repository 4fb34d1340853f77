// Behaviour shared by every page. Everything here is an enhancement: pages work without it.

// Menus built on <details>: close on Escape and on a click elsewhere.
const menus = document.querySelectorAll("details.menu");
document.addEventListener("click", (event) => {
  for (const menu of menus) {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of menus) {
    if (menu.open) {
      menu.open = false;
      menu.querySelector("summary")?.focus();
    }
  }
});

// <form data-confirm="Question?">: ask before destructive or surprising actions.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// <form data-autosubmit>: selects and checkboxes apply as soon as they change.
for (const form of document.querySelectorAll("form[data-autosubmit]")) {
  form.addEventListener("change", (event) => {
    if (event.target.matches("select, input[type=checkbox]")) form.requestSubmit();
  });
}

// <button data-copy="element-id">: copy that input's value to the clipboard.
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(source.value ?? source.textContent);
      button.textContent = button.dataset.copied || label;
    } catch {
      source.select?.();
    }
    window.setTimeout(() => {
      button.textContent = label;
    }, 2000);
  });
}
