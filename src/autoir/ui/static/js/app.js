/* AutoIR web UI behaviour: keyboard shortcuts, table cursor and selection, manage forms,
   tabs and charts. No inline script anywhere (Content-Security-Policy: script-src 'self'). */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "en";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function readJson(element) {
    try { return JSON.parse(element.textContent); } catch (error) { return null; }
  }

  /* Classification → determination: only the pairs of reference §6.2 are offered. */
  function determinationMap() {
    var data = $("#determinations-data");
    return data ? readJson(data) : null;
  }
  function filterDeterminations(select) {
    var target = document.getElementById(select.getAttribute("data-classification-select"));
    if (!target) { return; }
    var chosen = select.value;
    $all("optgroup", target).forEach(function (group) {
      var match = !chosen || group.getAttribute("data-classification") === chosen;
      group.hidden = !match;
      group.disabled = !match;
    });
    var current = target.options[target.selectedIndex];
    if (current && current.value && current.parentElement.disabled) { target.value = ""; }
  }

  function initForms(root) {
    $all("[data-classification-select]", root).forEach(function (select) {
      filterDeterminations(select);
      select.addEventListener("change", function () { filterDeterminations(select); });
    });
    $all("[data-fill]", root).forEach(function (button) {
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-fill"));
        if (input) { input.value = button.getAttribute("data-value"); input.focus(); }
      });
    });
    $all("[data-range-select]", root).forEach(function (select) {
      var custom = $("[data-custom-range]", select.form);
      select.addEventListener("change", function () { if (custom) { custom.hidden = select.value !== "custom"; } });
    });
    $all("[data-checklist]", root).forEach(function (details) {
      details.addEventListener("change", function () {
        var count = $all("input:checked", details).length;
        var badge = $("[data-chip-count]", details);
        badge.textContent = String(count);
        badge.hidden = count === 0;
        $("summary", details).classList.toggle("is-set", count > 0);
      });
    });
    $all("[data-assign-select]", root).forEach(function (select) {
      var user = $("[data-assign-user]", select.form);
      function sync() { if (user) { user.hidden = select.value !== "user"; } }
      select.addEventListener("change", sync);
      sync();
    });
    $all("[data-pct]", root).forEach(function (bar) {
      var pct = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-pct")) || 0));
      bar.style.width = (pct > 0 && pct < 2 ? 2 : pct) + "%";
    });
  }

  /* Bulk selection in the alert queue. */
  function initSelection(root) {
    var bulk = $("#bulk-form", root) || $("#bulk-form");
    if (!bulk) { return; }
    var counter = $("[data-selected-count]", bulk);
    var none = counter.getAttribute("data-none") || counter.textContent;
    var some = counter.getAttribute("data-some") || "%(count)s";
    counter.setAttribute("data-none", none);
    function boxes() { return $all('input[name="ids"][form="bulk-form"]'); }
    function refresh() {
      var all = boxes();
      var checked = all.filter(function (box) { return box.checked; });
      counter.textContent = checked.length ? some.replace("%(count)s", String(checked.length)) : none;
      all.forEach(function (box) {
        var row = box.closest("tr");
        if (row) { row.classList.toggle("is-selected", box.checked); }
      });
      var head = $("[data-select-all]");
      if (head) {
        head.checked = all.length > 0 && checked.length === all.length;
        head.indeterminate = checked.length > 0 && checked.length < all.length;
      }
      var scopeAll = $("[data-scope-all]", bulk);
      var scopeSelected = $('input[name="scope"][value="selected"]', bulk);
      if (checked.length && scopeSelected && !(scopeAll && scopeAll.checked)) { scopeSelected.checked = true; }
    }
    var head = $("[data-select-all]");
    if (head) {
      head.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = head.checked; });
        refresh();
      });
    }
    boxes().forEach(function (box) { box.addEventListener("change", refresh); });
    var toggle = $('[data-toggle="bulk-fields"]', bulk);
    var fields = $("#bulk-fields", bulk);
    if (toggle && fields) {
      toggle.addEventListener("click", function () {
        fields.hidden = !fields.hidden;
        toggle.setAttribute("aria-expanded", String(!fields.hidden));
        if (!fields.hidden) { var first = $("select", fields); if (first) { first.focus(); } }
      });
    }
    refresh();
  }

  /* Tabs (alert and investigation pages): one panel at a time, deep-linked by #id; every panel shows without JavaScript. */
  function initTabs(root) {
    $all("[data-tabs]", root).forEach(function (list) {
      var tabs = $all('[role="tab"]', list);
      function show(id, focus) {
        tabs.forEach(function (tab) {
          var on = tab.getAttribute("aria-controls") === id;
          tab.setAttribute("aria-selected", String(on));
          tab.tabIndex = on ? 0 : -1;
          var panel = document.getElementById(tab.getAttribute("aria-controls"));
          if (panel) { panel.hidden = !on; }
          if (on && focus) { tab.focus(); }
        });
      }
      function showAndLink(id, focus) {
        show(id, focus);
        history.replaceState(null, "", "#" + id);
      }
      tabs.forEach(function (tab, index) {
        tab.addEventListener("click", function (event) {
          event.preventDefault();
          showAndLink(tab.getAttribute("aria-controls"), false);
        });
        tab.addEventListener("keydown", function (event) {
          var target = null;
          if (event.key === "ArrowRight") { target = tabs[(index + 1) % tabs.length]; }
          else if (event.key === "ArrowLeft") { target = tabs[(index - 1 + tabs.length) % tabs.length]; }
          else if (event.key === "Home") { target = tabs[0]; }
          else if (event.key === "End") { target = tabs[tabs.length - 1]; }
          if (!target) { return; }
          event.preventDefault();
          showAndLink(target.getAttribute("aria-controls"), true);
        });
      });
      function fromHash() {
        var wanted = location.hash.slice(1);
        var valid = tabs.some(function (tab) { return tab.getAttribute("aria-controls") === wanted; });
        return valid ? wanted : null;
      }
      show(fromHash() || tabs[0].getAttribute("aria-controls"), false);
      window.addEventListener("hashchange", function () { var id = fromHash(); if (id) { show(id, false); } });
    });
  }

  /* Investigation graph (Cytoscape.js): nodes coloured by verdict; a tap selects the node's row. */
  var VERDICT_COLOURS = { malicious: "#d13438", suspicious: "#ca5010", noThreatsFound: "#107c10", unknown: "#8a8886", alert: "#0f6cbd" };
  var SEVERITY_COLOURS = { high: "#d13438", medium: "#ca5010", low: "#c19c00", informational: "#0078d4" };
  var KIND_SHAPES = { alert: "diamond", analyzedMessage: "round-rectangle", mailCluster: "round-hexagon", device: "rectangle", mailbox: "barrel", user: "ellipse", url: "ellipse", ip: "ellipse", file: "cut-rectangle", process: "cut-rectangle" };

  function selectRow(tabId, rowId) {
    var tab = $('[role="tab"][aria-controls="' + tabId + '"]');
    if (tab) { tab.click(); }
    var row = document.getElementById(rowId);
    if (!row) { return; }
    $all("tr.is-selected", row.closest("table")).forEach(function (other) { other.classList.remove("is-selected"); });
    row.classList.add("is-selected");
    row.scrollIntoView({ block: "center" });
    var link = $("[data-row-link]", row);
    (link || row).focus({ preventScroll: true });
  }

  function initGraph(root) {
    var box = $("#investigation-graph", root);
    var block = $("#graph-data", root);
    if (!box || !block || !window.cytoscape || box.getAttribute("data-drawn")) { return; }
    var data = readJson(block);
    if (!data) { return; }
    /* Cytoscape adds an inline <style> unless this id exists; the CSP forbids inline styles and
       app.css already positions the container, so a placeholder element stands in for it. */
    if (!document.getElementById("__________cytoscape_stylesheet")) {
      var placeholder = document.createElement("meta");
      placeholder.id = "__________cytoscape_stylesheet";
      document.head.appendChild(placeholder);
    }
    var elements = data.nodes.map(function (node) {
      node.colour = VERDICT_COLOURS[node.verdict] || VERDICT_COLOURS.unknown;
      node.border = node.kind === "alert" ? (SEVERITY_COLOURS[node.severity] || "#8a8886") : node.colour;
      node.shape = KIND_SHAPES[node.kind] || "ellipse";
      return { group: "nodes", data: node };
    }).concat(data.edges.map(function (edge) { return { group: "edges", data: edge }; }));
    var roots = data.nodes.filter(function (node) { return node.kind === "alert"; }).map(function (node) { return node.id; });
    var cy = window.cytoscape({
      container: box,
      elements: elements,
      userZoomingEnabled: false,
      maxZoom: 1.25,
      boxSelectionEnabled: false,
      autoungrabify: true,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", "border-color": "data(border)", "border-width": 2, "shape": "data(shape)",
          "width": 26, "height": 26, "label": "data(label)", "font-size": 10, "font-family": "Segoe UI, Roboto, Helvetica, Arial, sans-serif",
          "color": "#1f2328", "text-valign": "bottom", "text-margin-y": 4, "text-wrap": "ellipsis", "text-max-width": 140,
          "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1 } },
        { selector: 'node[kind = "alert"]', style: { "width": 32, "height": 32, "border-width": 4, "font-weight": 600 } },
        { selector: "node:selected", style: { "overlay-color": "#0f6cbd", "overlay-opacity": 0.18, "overlay-padding": 6 } },
        { selector: "edge", style: { "width": 1.5, "line-color": "#c9ced6", "target-arrow-color": "#c9ced6", "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8 } }
      ],
      layout: roots.length
        ? { name: "breadthfirst", directed: true, roots: roots, spacingFactor: 1.1, padding: 24, animate: false }
        : { name: "grid", padding: 24, animate: false }
    });
    cy.on("tap", "node", function (event) {
      var node = event.target;
      cy.nodes().unselect();
      node.select();
      selectRow(node.data("tab"), node.data("row"));
    });
    $all("tr[data-node]", root).forEach(function (row) {
      row.addEventListener("click", function () {
        cy.nodes().unselect();
        cy.getElementById(row.getAttribute("data-node")).select();
      });
    });
    box.setAttribute("data-drawn", "1");
    box.setAttribute("data-node-count", String(cy.nodes().length));
    window.autoirGraph = cy;
  }

  /* Charts: stacked daily bars from JSON blocks rendered by the server. */
  function initCharts(root) {
    if (!window.Chart) { return; }
    var dayFormat = new Intl.DateTimeFormat(lang, { month: "short", day: "numeric", timeZone: "UTC" });
    $all("script[data-chart]", root).forEach(function (block) {
      var canvas = document.getElementById(block.getAttribute("data-chart"));
      var data = readJson(block);
      if (!canvas || !data || canvas.getAttribute("data-drawn")) { return; }
      canvas.setAttribute("data-drawn", "1");
      var labels = data.labels.map(function (day) { return dayFormat.format(new Date(day + "T00:00:00Z")); });
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: labels,
          datasets: data.datasets.map(function (set) {
            return { label: set.label, data: set.data, backgroundColor: set.backgroundColor, borderWidth: 0, borderRadius: 1, maxBarThickness: 22 };
          })
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: "index", intersect: false },
          plugins: {
            legend: { position: "bottom", labels: { boxWidth: 10, boxHeight: 10, font: { size: 11 } } },
            tooltip: { itemSort: function (a, b) { return b.datasetIndex - a.datasetIndex; } }
          },
          scales: {
            x: { stacked: true, grid: { display: false }, ticks: { font: { size: 10 }, maxRotation: 0, autoSkipPadding: 8 } },
            y: { stacked: true, beginAtZero: true, ticks: { precision: 0, font: { size: 10 } }, grid: { color: "#eef0f3" } }
          }
        }
      });
    });
  }

  /* Keyboard: / focus search, j/k row cursor, Enter/o open, x select, g d|a|i|v|c go, ? help. */
  var cursor = -1;
  var pendingG = false;
  var pendingTimer = null;

  function keyboardTable() { return $("table[data-keyboard]"); }
  function rows() {
    var table = keyboardTable();
    return table ? $all("tbody tr[data-href]", table) : [];
  }
  function moveCursor(step) {
    var list = rows();
    if (!list.length) { return; }
    cursor = Math.max(0, Math.min(list.length - 1, cursor + step));
    list.forEach(function (row, index) { row.classList.toggle("is-cursor", index === cursor); });
    list[cursor].scrollIntoView({ block: "nearest" });
    var link = $("[data-row-link]", list[cursor]);
    if (link) { link.focus({ preventScroll: true }); }
  }
  function currentRow() {
    var list = rows();
    var focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest("tr[data-href]") : null;
    if (focused) { return focused; }
    return cursor >= 0 ? list[cursor] : null;
  }
  function isTyping(target) {
    if (!target) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }
  function go(path) { window.location.assign(path); }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      $all("details[open]").forEach(function (details) { details.open = false; });
      if (isTyping(event.target)) { event.target.blur(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) { return; }
    if (pendingG) {
      pendingG = false;
      clearTimeout(pendingTimer);
      var targets = { d: "/dashboard", a: "/alerts", i: "/incidents", v: "/investigations", c: "/action-center" };
      if (targets[event.key]) { event.preventDefault(); go(targets[event.key]); }
      return;
    }
    switch (event.key) {
      case "/": {
        var search = $("[data-shortcut='/']") || $("#global-search");
        if (search) { event.preventDefault(); search.focus(); search.select(); }
        break;
      }
      case "j": event.preventDefault(); moveCursor(1); break;
      case "k": event.preventDefault(); moveCursor(-1); break;
      case "o":
      case "Enter": {
        var row = currentRow();
        if (row && (event.key === "o" || !event.target.closest("a, button"))) { event.preventDefault(); go(row.getAttribute("data-href")); }
        break;
      }
      case "x": {
        var selected = currentRow();
        var box = selected ? $('input[type="checkbox"]', selected) : null;
        if (box) { event.preventDefault(); box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
        break;
      }
      case "g":
        pendingG = true;
        pendingTimer = setTimeout(function () { pendingG = false; }, 1200);
        break;
      case "?": {
        var help = $("#help-dialog");
        if (help && !help.open) { event.preventDefault(); help.showModal(); }
        break;
      }
      default:
        break;
    }
  });

  document.addEventListener("click", function (event) {
    var helpButton = event.target.closest ? event.target.closest('[data-action="help"]') : null;
    if (helpButton) { var help = $("#help-dialog"); if (help) { help.showModal(); } return; }
    $all("details.user-menu[open], details.dropdown[open]").forEach(function (details) {
      if (!details.contains(event.target)) { details.open = false; }
    });
  });

  function init(root) {
    initForms(root);
    initSelection(root);
    initTabs(root);
    initCharts(root);
    initGraph(root);
    cursor = -1;
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
