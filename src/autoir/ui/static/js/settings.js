/* Automation settings: the live preview and the form's small helpers. Loaded after app.js on
   /settings/automation; no inline script (Content-Security-Policy: script-src 'self').

   The settings form's inputs are named by JSON paths (deviceGroups[0].rules[1].ipRange) and
   marked data-json="text|int|bool", so the document PUT /api/v1/settings/automation reads is
   built here the way the server builds it (ranks from the rows' order), and sent unsaved to
   POST /api/v1/settings/automation/preview with the session's CSRF token (the X-CSRF-Token
   header htmx sends, from the body's hx-headers). */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function readJson(element) {
    try { return element ? JSON.parse(element.textContent) : null; } catch (error) { return null; }
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (error) { return ""; }
  }
  function make(tag, className, text) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (text !== undefined && text !== null) { element.textContent = text; }
    return element;
  }

  /* As automation_form.whole_number: 10,000 and 10 000 are numbers; anything else is sent as
     typed, for the server to refuse. */
  var GROUPED = /^\d{1,3}(?:[,.'\s\u00a0\u202f]\d{3})+$/;
  function wholeNumber(raw) {
    var text = raw.trim();
    if (GROUPED.test(text)) { text = text.replace(/\D/g, ""); }
    return /^[0-9]{1,9}$/.test(text) ? parseInt(text, 10) : raw;
  }

  function pathKeys(path) {
    var keys = [];
    path.replace(/([^.[\]]+)|\[(\d+)\]/g, function (match, name, index) {
      keys.push(index !== undefined ? Number(index) : name);
      return match;
    });
    return keys;
  }
  function setPath(root, path, value) {
    var keys = pathKeys(path);
    var node = root;
    for (var i = 0; i < keys.length - 1; i += 1) {
      if (node[keys[i]] === undefined) { node[keys[i]] = typeof keys[i + 1] === "number" ? [] : {}; }
      node = node[keys[i]];
    }
    node[keys[keys.length - 1]] = value;
  }
  function policyOf(form) {
    var policy = {};
    $all("[data-json]", form).forEach(function (field) {
      var kind = field.getAttribute("data-json");
      var value = kind === "bool" ? field.checked : (kind === "int" ? wholeNumber(field.value) : field.value);
      setPath(policy, field.name, value);
    });
    policy.deviceGroups = (policy.deviceGroups || []).filter(Boolean).map(function (group, index) {
      group.rank = index + 1;
      group.rules = (group.rules || []).filter(Boolean);
      return group;
    });
    return policy;
  }

  var box = $("#automation-preview");
  if (!box) { return; }
  var text = readJson($("#preview-text")) || {};
  var lang = document.documentElement.lang || "en";
  var timer = null;
  var controller = null;
  var sequence = 0;

  function settingsForm() {
    var form = $("#automation-form");
    return form && form.tagName === "FORM" ? form : null;
  }
  function splitList(value) {
    return value.split(",").map(function (part) { return part.trim(); }).filter(Boolean);
  }
  function requestBody() {
    var fields = $("#preview-form").elements;
    var device = { "@odata.type": "#microsoft.graph.security.deviceEvidence" };
    var name = fields.deviceDnsName.value.trim();
    var os = fields.osPlatform.value.trim();
    var ips = fields.ipAddress.value.split(/[\s,]+/).filter(Boolean);
    if (name) { device.deviceDnsName = name; }
    if (os) { device.osPlatform = os; }
    device.tags = splitList(fields.tags.value);
    if (ips.length) { device.ipInterfaces = ips; }
    var body = { device: device, filePath: fields.filePath.value.trim() || null };
    var form = settingsForm();
    if (form && box.getAttribute("data-with-policy") === "true") { body.policy = policyOf(form); }
    return body;
  }

  /* Only the fields the user changed are marked: a group just added is incomplete, not wrong. */
  var touched = {};
  function markInvalid(targets) {
    $all(".is-invalid-live").forEach(function (element) { element.classList.remove("is-invalid-live"); });
    var form = settingsForm();
    if (!form) { return; }
    targets.forEach(function (target) {
      var path = target.replace(/^policy\./, "");
      $all("[data-json]", form).forEach(function (field) {
        var inside = field.name === path || field.name.indexOf(path + ".") === 0;
        if (inside && touched[field.name]) { field.classList.add("is-invalid-live"); }
      });
      var group = /^deviceGroups\[(\d+)\]/.exec(path);
      var row = group ? document.getElementById("group-" + group[1]) : null;
      if (row && $(".is-invalid-live", document.getElementById("group-" + group[1] + "-editor") || row)) {
        row.classList.add("is-invalid-live");
      }
    });
  }

  function setState(state) { $("#preview-result").setAttribute("data-state", state); }
  function showMessage(state, message) {
    var result = $("#preview-result");
    result.textContent = "";
    result.appendChild(make("p", state === "invalid" ? "preview-message is-error" : "preview-message", message));
    setState(state);
  }

  function fact(list, term, value, extra) {
    var row = make("div");
    row.appendChild(make("dt", null, term));
    var dd = make("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = value; }
    if (extra) { dd.appendChild(make("span", "muted", " " + extra)); }
    row.appendChild(dd);
    list.appendChild(row);
  }

  function show(data) {
    markInvalid([]);
    var result = $("#preview-result");
    result.textContent = "";
    var group = data.deviceGroup;
    var facts = make("dl", "preview-facts");
    var name = make("strong", "preview-group", group.isDefault ? text.defaultName : group.name);
    name.setAttribute("data-group", group.name);
    fact(facts, text.group, name, group.isDefault ? null : (text.rank || "%(rank)s").replace("%(rank)s", String(group.rank)));
    if (group.isDefault) { fact(facts, "", text.defaultNote); }
    fact(facts, text.level, (text.levels || {})[group.automationLevel] || group.automationLevelLabel);
    if (data.filePath) {
      fact(facts, text.folder, data.folderClass ? ((text.folders || {})[data.folderClass] || data.folderClass) : text.noFolder);
    }
    result.appendChild(facts);
    result.appendChild(make("h3", "preview-subtitle", text.decisions));
    var list = make("ul", "preview-decisions");
    data.decisions.forEach(function (decision) {
      var item = make("li", "decision");
      item.setAttribute("data-action-type", decision.actionType);
      item.setAttribute("data-mode", decision.mode);
      var head = make("div", "decision-head");
      head.appendChild(make("span", "decision-action", (text.actions || {})[decision.actionType] || decision.actionType));
      head.appendChild(make("span", "pill mode-pill mode-" + decision.mode, (text.modes || {})[decision.mode] || decision.mode));
      item.appendChild(head);
      var reason = make("p", "decision-reason", decision.reason);
      if (lang !== "en") { reason.setAttribute("lang", "en"); }
      item.appendChild(reason);
      list.appendChild(item);
    });
    result.appendChild(list);
    setState("ready");
  }

  function invalid(data) {
    var details = data && data.error && data.error.details ? data.error.details : [];
    var targets = details.map(function (detail) { return detail.target || ""; });
    var policyTargets = targets.filter(function (target) { return target.indexOf("policy") === 0; });
    markInvalid(policyTargets);
    showMessage("invalid", policyTargets.length ? text.invalid : text.failed);
  }

  function run() {
    timer = null;
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    var mine = sequence += 1;
    box.setAttribute("aria-busy", "true");
    fetch(box.getAttribute("data-preview-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(requestBody()),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (answer) {
      if (mine !== sequence) { return; }
      box.removeAttribute("aria-busy");
      if (answer.status === 200 && answer.data) { show(answer.data); }
      else if (answer.status === 400) { invalid(answer.data); }
      else { showMessage("failed", text.failed); }
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      if (mine === sequence) { box.removeAttribute("aria-busy"); showMessage("failed", text.failed); }
    });
  }
  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(run, 250);
  }

  /* Typing in the settings form: mark it unsaved, keep the group's row in step, preview again. */
  function onEdit(event) {
    var field = event.target;
    if (!field.closest) { return; }
    if (field.closest("#preview-form")) { schedule(); return; }
    var form = field.closest("#automation-form");
    if (!form || form.tagName !== "FORM" || !field.hasAttribute("data-json")) { return; }
    var unsaved = $("[data-unsaved]", form);
    var dirty = $("[data-dirty]", form);
    if (unsaved) { unsaved.hidden = false; }
    if (dirty) { dirty.value = "1"; }
    touched[field.name] = true;
    var nameOf = field.getAttribute("data-group-name");
    var levelOf = field.getAttribute("data-group-level");
    if (nameOf !== null) {
      var nameCell = $("#group-" + nameOf + " [data-summary-name]");
      if (nameCell) { nameCell.textContent = field.value.trim() || nameCell.getAttribute("data-empty") || ""; }
    }
    if (levelOf !== null) {
      var levelCell = $("#group-" + levelOf + " [data-summary-level]");
      if (levelCell) { levelCell.textContent = (text.levels || {})[field.value] || field.value; }
    }
    schedule();
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);
  document.addEventListener("submit", function (event) {
    if (event.target.id === "preview-form") { event.preventDefault(); run(); }
  });
  /* Before htmx swaps the form, drop the empty style attributes Chromium puts on text inputs:
     htmx copies the old element's style onto its replacement (same id), which the
     Content-Security-Policy (style-src 'self') refuses. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    $all("[style]", event.detail.target).forEach(function (element) {
      if (!element.getAttribute("style")) { element.removeAttribute("style"); }
    });
  });
  /* An editing button swapped the form (htmx): the policy may have changed. */
  document.addEventListener("htmx:afterSettle", schedule);
  run();
})();
