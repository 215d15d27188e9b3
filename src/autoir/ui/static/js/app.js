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

  /* Tabs on the alert page: one panel at a time; every panel shows without JavaScript. */
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
      tabs.forEach(function (tab, index) {
        tab.addEventListener("click", function (event) {
          event.preventDefault();
          var id = tab.getAttribute("aria-controls");
          show(id, false);
          history.replaceState(null, "", "#" + id);
        });
        tab.addEventListener("keydown", function (event) {
          var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
          if (!step) { return; }
          event.preventDefault();
          var next = tabs[(index + step + tabs.length) % tabs.length];
          show(next.getAttribute("aria-controls"), true);
        });
      });
      var wanted = location.hash.slice(1);
      var valid = tabs.some(function (tab) { return tab.getAttribute("aria-controls") === wanted; });
      show(valid ? wanted : tabs[0].getAttribute("aria-controls"), false);
    });
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

  /* Keyboard: / focus search, j/k row cursor, Enter/o open, x select, g d|a|i go, ? help. */
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
      var targets = { d: "/dashboard", a: "/alerts", i: "/incidents" };
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
    cursor = -1;
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
