// Form behaviours that need script; every form works without it (strict CSP: no inline JS).
// - An error shown after an htmx swap takes the focus and scrolls into view.
// - A reason select is shown only for the move it belongs to (data-reason-for).
(function () {
  "use strict";

  function syncReasons(form) {
    var to = form.querySelector("select[name=to]");
    if (!to) return;
    form.querySelectorAll("[data-reason-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-reason-for") !== to.value;
    });
  }

  function init(root) {
    root.querySelectorAll("form").forEach(syncReasons);
    var error = root.querySelector("[data-focus]");
    if (error) {
      error.focus({ preventScroll: true });
      error.scrollIntoView({ block: "center" });
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.name === "to" && target.form) {
      syncReasons(target.form);
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    init(event.target instanceof Element ? event.target : document);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
