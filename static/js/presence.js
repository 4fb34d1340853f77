// Presence: a heartbeat about every 20 s tells the server this page is open (and which
// section is being edited); the answer lists who else is here and each section's version,
// so the page can say "X is editing" and offer a refresh when someone saved what you read.
const config = JSON.parse(document.getElementById("presence-config")?.textContent || "null");

if (config) {
  const box = document.getElementById("presence");
  const strings = box?.dataset || {};
  const known = { ...config.versions };
  const csrf = () => document.cookie.match(/(?:^|; )csrftoken=([^;]+)/)?.[1] || "";
  let timer = null;

  const initials = (name) => name.slice(0, 2).toUpperCase();

  const render = ({ others, sections }) => {
    if (box) {
      box.replaceChildren();
      box.hidden = others.length === 0;
      if (others.length) {
        const label = document.createElement("span");
        label.className = "presence__label";
        label.textContent = strings.label || "";
        box.append(label);
      }
      for (const other of others) {
        const chip = document.createElement("span");
        chip.className = "presence__user";
        const where = other.section
          ? (strings.editing || "{name} is editing {section}").replace("{name}", other.username).replace("{section}", other.section)
          : (strings.reading || "{name} is reading").replace("{name}", other.username);
        chip.title = where;
        chip.setAttribute("aria-label", where);
        chip.textContent = initials(other.username);
        box.append(chip);
      }
    }
    // Who edits which section: a badge on the section (document page) or a notice (editor).
    document.querySelectorAll("[data-editing-for]").forEach((node) => {
      const editors = others.filter((o) => o.section === node.dataset.editingFor).map((o) => o.username);
      node.hidden = editors.length === 0;
      node.textContent = (node.dataset.template || "{names}").replace("{names}", editors.join(", "));
    });
    // Someone saved a section this page shows an older version of.
    for (const section of sections) {
      const seen = known[section.key];
      if (seen === undefined || section.version <= seen) continue;
      const notice = document.querySelector(`[data-notice-for="${CSS.escape(section.key)}"]`);
      if (!notice) continue;
      notice.hidden = false;
      const text = notice.querySelector("[data-notice-text]");
      if (text) {
        text.textContent = (notice.dataset.template || "{name}").replace("{name}", section.updated_by || "—");
      }
    }
  };

  const beat = async () => {
    try {
      const response = await fetch(config.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ section: config.section || "" }),
      });
      if (response.ok) render(await response.json());
    } catch {
      // Offline for a moment: the next heartbeat tries again.
    }
  };

  const start = () => {
    window.clearInterval(timer);
    beat();
    timer = window.setInterval(beat, 20_000);
  };

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) window.clearInterval(timer);
    else start();
  });
  document.querySelectorAll("[data-refresh]").forEach((button) =>
    button.addEventListener("click", () => {
      const key = button.closest("[data-notice-for]").dataset.noticeFor;
      window.location.hash = `sec-${key}`;
      window.location.reload();
    }),
  );
  start();
}
