/* Article page: mark the excerpt the URL points at (#excerpt-<id>) more strongly. */
(function () {
  "use strict";
  function markTarget() {
    var match = /^#excerpt-(\d+)$/.exec(window.location.hash);
    document.querySelectorAll("mark.excerpt").forEach(function (mark) {
      var ids = (mark.getAttribute("data-excerpts") || "").split(" ");
      mark.classList.toggle("targeted", match !== null && ids.indexOf(match[1]) >= 0);
    });
  }
  window.addEventListener("hashchange", markTarget);
  markTarget();
})();
