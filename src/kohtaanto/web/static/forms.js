// Form behaviours that need script; every form works without it (strict CSP: no inline JS).
// - An error shown after an htmx swap takes the focus and scrolls into view.
// - A reason select is shown only for the move it belongs to (data-reason-for).
// - ESCO choosers: a ticked search result or suggestion moves into the chosen chips
//   (data-chosen) before the next search replaces the results; an unticked chip goes.
(function () {
  "use strict";
  var moved = 0;

  function choose(box) {
    var chosen = document.querySelector('[data-chosen="' + CSS.escape(box.name) + '"]');
    if (!chosen) return;
    var item = box.closest("li, .choice");
    if (!item) return;
    var twin = chosen.querySelector('input[value="' + CSS.escape(box.value) + '"]');
    if (twin) {
      twin.checked = true;
      item.remove();
      return;
    }
    // Result ids are reused by the next search: give the chip an id of its own.
    var label = item.querySelector("label[for='" + CSS.escape(box.id) + "']");
    moved += 1;
    box.id = box.name + "-m" + moved;
    if (label) label.htmlFor = box.id;
    var chip = document.createElement("li");
    chip.className = "chip choice";
    chip.appendChild(box);
    if (label) chip.appendChild(label);
    item.remove();
    if (box.type === "radio") {
      chosen.querySelectorAll("li").forEach(function (li) { li.remove(); });
    }
    chosen.appendChild(chip);
  }

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
    if (!(target instanceof HTMLInputElement)) return;
    if (target.checked && target.closest("[data-results]")) {
      choose(target);
    } else if (!target.checked && target.type === "checkbox" && target.closest("[data-chosen]")) {
      var chip = target.closest("li");
      if (chip) chip.remove();
      var field = document.getElementById(target.name + "-search");
      if (field) field.focus();
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
