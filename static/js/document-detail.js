// Document page: the table of contents is a <details> that stays open on wide screens and
// folds above the content on narrow ones.
const toc = document.querySelector(".toc details");
if (toc) {
  const narrow = window.matchMedia("(max-width: 60rem)");
  const sync = () => {
    toc.open = !narrow.matches;
  };
  sync();
  narrow.addEventListener("change", sync);
  toc.addEventListener("click", (event) => {
    // Jumping to a section from the folded list closes it again.
    if (narrow.matches && event.target.closest("a")) toc.open = false;
  });
}

// Mark the section being read in the table of contents: the last one whose top has
// scrolled past a line near the top of the window.
const entries = [...document.querySelectorAll(".toc a[href^='#sec-']")]
  .map((link) => [link, document.getElementById(link.getAttribute("href").slice(1))])
  .filter(([, section]) => section);
if (entries.length) {
  let scheduled = false;
  const mark = () => {
    scheduled = false;
    const line = window.innerHeight * 0.25;
    let current = entries[0][0];
    for (const [link, section] of entries) {
      if (section.getBoundingClientRect().top <= line) current = link;
    }
    for (const [link] of entries) {
      if (link === current) link.setAttribute("aria-current", "location");
      else link.removeAttribute("aria-current");
    }
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(mark);
    }
  };
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule);
  mark();
}

// After a successful save the server redirects here with ?saved=<section>: the editor's
// local draft of that section has reached the server, so it can go.
{
  const params = new URLSearchParams(window.location.search);
  const savedKey = params.get("saved");
  const documentId = document.querySelector("[data-document-id]")?.dataset.documentId;
  if (savedKey && documentId) {
    try {
      // Drafts are keyed by document, section and base version: drop every version's.
      const prefix = `mlsd-draft:${documentId}:${savedKey}:`;
      const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i));
      for (const key of keys) if (key?.startsWith(prefix)) localStorage.removeItem(key);
    } catch {
      // Storage unavailable: nothing was stored either.
    }
    params.delete("saved");
    const query = params.toString();
    window.history.replaceState(null, "", `${window.location.pathname}${query ? `?${query}` : ""}${window.location.hash}`);
  }
}
