/* Article page: mark the excerpt the URL points at (#excerpt-<id>) more strongly. */
(() => {
  function markTarget() {
    const match = /^#excerpt-(\d+)$/.exec(window.location.hash);
    for (const mark of document.querySelectorAll("mark.excerpt")) {
      const ids = (mark.getAttribute("data-excerpts") || "").split(" ");
      mark.classList.toggle("targeted", match !== null && ids.includes(match[1]));
    }
  }
  window.addEventListener("hashchange", markTarget);
  markTarget();
})();
