// Failed htmx requests are shown where the user acted, never silently dropped.
// The server answers a failed htmx request with an error fragment (role="alert",
// naming the request id); when it could not (network down, a proxy's page), a
// translated message from the <body>'s data attributes is shown instead.
(function () {
  "use strict";

  function place(trigger, box) {
    // Inside a table cell or a form the message goes beside the control;
    // elsewhere right after the element that made the request.
    var holder = trigger.closest("td, li, form, section, main") || document.querySelector("main");
    var old = holder.querySelector(":scope > .server-error");
    if (old) { old.remove(); }
    if (holder.tagName === "FORM" || holder.tagName === "TD" || holder.tagName === "LI") {
      holder.appendChild(box);
    } else {
      trigger.insertAdjacentElement("afterend", box);
    }
    box.setAttribute("tabindex", "-1");
    box.focus({ preventScroll: true });
    box.scrollIntoView({ block: "nearest" });
  }

  function fallback(xhr) {
    var body = document.body.dataset;
    var box = document.createElement("div");
    box.className = "server-error";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = body.requestFailed || "The request failed.";
    box.appendChild(text);
    var id = xhr && xhr.getResponseHeader("X-Request-ID");
    if (id) {
      var ref = document.createElement("p");
      ref.textContent = (body.referenceLabel || "Reference") + ": ";
      var code = document.createElement("code");
      code.className = "request-id";
      code.textContent = id;
      ref.appendChild(code);
      box.appendChild(ref);
      box.dataset.requestId = id;
    }
    return box;
  }

  function fromResponse(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === 0 && xhr.responseText) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var box = doc.querySelector(".server-error");
      if (box) { return document.importNode(box, true); }
    }
    return fallback(xhr);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    // 4xx answers with a form to show (validation) are swapped by the page's own
    // handling; this is for the failures (5xx) and anything unexpected.
    if (xhr.status < 500 && xhr.status !== 0) {
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (type.indexOf("text/html") === 0 && xhr.responseText.indexOf("server-error") < 0) {
        return;
      }
    }
    place(event.detail.elt, fromResponse(xhr));
  });

  document.addEventListener("htmx:sendError", function (event) {
    place(event.detail.elt, fallback(null));
  });
})();
