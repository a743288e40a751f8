// The ruleset editor page: live diagnostics at line:col and a live score preview.
(function () {
  "use strict";
  var init = JSON.parse(document.getElementById("initial").textContent);
  var problems = document.getElementById("problems");
  var preview = document.getElementById("preview");
  var dataSel = document.getElementById("data");
  var seq = 0;

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
  }
  function where(d) { return d.file ? d.file + ":" + d.line + ":" + d.col : ""; }
  function list(items) {
    if (!items.length) return '<p class="ok" id="no-problems">' + (init.lang === "en" ? "No problems" : "没有问题") + "</p>";
    return '<ul class="problems">' + items.map(function (d) {
      return '<li class="diagnostic ' + esc(d.severity) + '" data-line="' + esc(d.line) + '" data-col="' + esc(d.col) + '"><span class="loc">' + esc(where(d)) + "</span> " + esc(d.message) + "</li>";
    }).join("") + "</ul>";
  }
  function rows(items, depth) {
    return items.map(function (n) {
      return '<tr><td class="indent' + Math.min(depth, 3) + '">' + esc(n.name) + '</td><td class="num">' + esc(n.weight) + '</td><td class="num">' + esc(n.score) + "</td></tr>" + rows(n.children || [], depth + 1);
    }).join("");
  }
  function show(res) {
    var mine = (res.diagnostics || []).filter(function (d) { return d.file === init.file && d.line; });
    JixiaoEditor.setDiagnostics(editor, mine.map(function (d) {
      return {line: d.line, col: d.col, severity: d.severity === "warning" ? "warning" : "error", message: d.message};
    }));
    problems.innerHTML = list(res.diagnostics || []);
    if (res.total !== undefined) {
      preview.innerHTML = '<p><span class="muted">' + (init.lang === "en" ? "Total" : "总分") + '</span> <span class="big" id="preview-total">' + esc(res.total) +
        '</span> <span class="big" id="preview-grade">' + esc(res.grade) + "</span></p><table>" + rows(res.tree || [], 0) + "</table>";
    } else if (res.unit_problems) {
      preview.innerHTML = list(res.unit_problems);
    } else {
      preview.innerHTML = '<p class="muted">—</p>';
    }
  }
  function check(text) {
    var mine = ++seq;
    fetch("/check/" + init.id, {method: "POST", headers: {"Content-Type": "application/json"}, credentials: "same-origin",
      body: JSON.stringify({text: text, data: dataSel.value})})
      .then(function (r) { return r.json(); })
      .then(function (res) { if (mine === seq) show(res); });
  }
  var editor = JixiaoEditor.create(document.getElementById("editor"), init.text, {onChange: check, debounceMs: 150, lang: "yaml"});
  window.jixiaoEditor = editor;
  dataSel.addEventListener("change", function () { check(JixiaoEditor.getText(editor)); });
  check(init.text);

  document.getElementById("save").addEventListener("click", function () {
    var status = document.getElementById("save-status");
    fetch("/save/" + init.id, {method: "POST", headers: {"Content-Type": "application/json"}, credentials: "same-origin",
      body: JSON.stringify({text: JixiaoEditor.getText(editor), force: document.getElementById("force").checked})})
      .then(function (r) { return r.json(); })
      .then(function (res) {
        status.className = "small " + (res.saved ? "ok" : "error");
        status.textContent = res.message || (res.diagnostics || []).map(function (d) { return d.message; }).join("；");
      });
  });
})();
