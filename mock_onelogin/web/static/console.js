/* OneLogin console: pages that keep up with provisioning in progress, and confirmation
   dialogs. A static file, because the console's Content-Security-Policy allows no inline
   script. Every page works without it: a reload shows the state, and each destructive
   button opens a confirmation page instead of the dialog. */
(function () {
  "use strict";

  /* Confirmations: a destructive button is a GET form to its confirmation page; with
     JavaScript the same confirmation opens as a dialog on the page. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (!button) return;
    var dialog = document.getElementById(button.getAttribute("data-confirm"));
    if (!dialog || typeof dialog.showModal !== "function") return; /* the page, then */
    event.preventDefault();
    dialog.showModal();
  });

  /* Live regions: while the page shows work in progress, ask its status endpoint; when
     the state changes, fetch the page again and swap the regions marked data-live. */
  var root = document.querySelector("[data-live-status]");
  if (!root || !window.fetch || !window.DOMParser) return;
  var statusUrl = root.getAttribute("data-live-status");
  var version = root.getAttribute("data-live-version");

  function later(ms) {
    if (ms > 0) window.setTimeout(ask, ms);
  }

  function json(response) {
    var type = response.headers.get("Content-Type") || "";
    if (!response.ok || type.indexOf("application/json") !== 0) {
      throw new Error("status answered " + response.status); /* logged out: stop */
    }
    return response.json();
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var freshRoot = fresh.querySelector("[data-live-status]");
    document.querySelectorAll("[data-live]").forEach(function (region) {
      var replacement = region.id && fresh.getElementById(region.id);
      if (replacement) region.replaceWith(document.importNode(replacement, true));
    });
    if (!freshRoot) return 0;
    version = freshRoot.getAttribute("data-live-version");
    root.setAttribute("data-live-version", version);
    root.setAttribute("data-live-poll", freshRoot.getAttribute("data-live-poll"));
    return parseInt(freshRoot.getAttribute("data-live-poll") || "0", 10);
  }

  function ask() {
    window
      .fetch(statusUrl, { credentials: "same-origin", cache: "no-store",
                          headers: { Accept: "application/json" } })
      .then(json)
      .then(function (status) {
        if (status.version === version) return later(status.poll_ms || 0);
        /* Never pull a dialog away from under the admin: ask again a little later. */
        if (document.querySelector("dialog[open].confirm")) return later(status.poll_ms || 1000);
        return window
          .fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
          .then(function (response) {
            if (!response.ok) throw new Error("page answered " + response.status);
            return response.text();
          })
          .then(function (html) { later(swap(html)); });
      })
      .catch(function () { /* stop asking; a reload shows the state */ });
  }

  later(parseInt(root.getAttribute("data-live-poll") || "0", 10));
})();
