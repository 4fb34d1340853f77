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

// <time data-relative datetime="…">: the server writes a date and time, the same whenever the
// page was rendered (cached pages stay true); here it reads "5 minutes ago" in the page's
// language, and keeps counting while the page is open.
const relativeTimes = document.querySelectorAll("time[data-relative]");
if (relativeTimes.length) {
  const wording = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, {
    numeric: "auto",
  });
  const units = [
    ["year", 365 * 86400],
    ["month", 30 * 86400],
    ["week", 7 * 86400],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  const ago = (moment) => {
    const seconds = (moment - Date.now()) / 1000;
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) return wording.format(Math.round(seconds / size), unit);
    }
    return wording.format(Math.round(seconds), "second");
  };
  const refresh = () => {
    for (const time of relativeTimes) {
      const moment = Date.parse(time.dateTime);
      if (!Number.isNaN(moment)) time.textContent = ago(moment);
    }
  };
  refresh();
  window.setInterval(refresh, 30_000);
}
