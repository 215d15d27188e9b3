/* Remediation actions: "Take action" dialogs and the Action Center's shortcuts (a approve,
   r reject, p/h tabs). Loaded after app.js on the pages that show actions; no inline script. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) { return; }
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog && !dialog.open) {
        event.preventDefault();
        dialog.showModal();
        var first = $("input[type=radio]:checked", dialog) || $("input, select, textarea", dialog);
        if (first) { first.focus(); }
      }
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) { event.preventDefault(); open.close(); }
      return;
    }
    /* A click on the backdrop (the dialog element itself, outside its content) closes it. */
    if (event.target.tagName === "DIALOG" && event.target.classList.contains("action-dialog")) {
      var box = event.target.getBoundingClientRect();
      var inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) { event.target.close(); }
    }
  });

  /* Before htmx replaces the results, drop the old chart: htmx copies the attributes of an
     element with the same id onto its replacement, and Chart.js left an inline style on the
     canvas that the Content-Security-Policy (style-src 'self') would refuse. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    $all("canvas", event.detail.target).forEach(function (canvas) {
      var chart = window.Chart && window.Chart.getChart ? window.Chart.getChart(canvas) : null;
      if (chart) { chart.destroy(); }
      canvas.removeAttribute("style");
    });
  });

  function isTyping(target) {
    if (!target) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }
  function selectedCount() {
    return $all('input[name="ids"][form="bulk-form"]:checked').length;
  }

  /* app.js reads "g" then a letter (g a: go to alerts); that letter is not a shortcut here. */
  var afterG = 0;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) { return; }
    if ($("dialog[open]")) { return; }
    if (event.key === "g") { afterG = Date.now(); return; }
    if (Date.now() - afterG < 1200) { afterG = 0; return; }
    var button = null;
    if (event.key === "a") { button = $("#approve-selected"); }
    else if (event.key === "r") { button = $("#reject-selected"); }
    if (button) {
      if (!selectedCount()) {
        var hint = $("[data-selected-count]");
        if (hint) { hint.classList.add("is-flash"); setTimeout(function () { hint.classList.remove("is-flash"); }, 800); }
        return;
      }
      event.preventDefault();
      button.click();
      return;
    }
    var tab = $('[data-tab-key="' + event.key + '"]');
    if (tab && (event.key === "p" || event.key === "h")) {
      event.preventDefault();
      window.location.assign(tab.getAttribute("href"));
    }
  });
})();
