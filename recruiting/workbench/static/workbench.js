// The workbench's shared script (no inline scripts: the CSP forbids them).
// wb.post(url, data): a same-origin POST carrying the session's CSRF token.
"use strict";
window.wb = {
  csrf: function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  },
  post: function (url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": window.wb.csrf() },
      body: JSON.stringify(data || {}),
    });
  },
};

// 岗位: the competency model's weights add up as HR types (the server checks them again).
document.addEventListener("DOMContentLoaded", function () {
  var total = document.getElementById("weight-total");
  if (!total) { return; }
  var inputs = document.querySelectorAll("input.weight");
  function update() {
    var sum = 0;
    inputs.forEach(function (i) { var v = parseFloat(i.value); if (!isNaN(v)) { sum += v; } });
    sum = Math.round(sum * 100) / 100;
    total.textContent = "合计 " + sum + "%" + (sum === 100 ? "" : "（须为 100%）");
  }
  inputs.forEach(function (i) { i.addEventListener("input", update); });
  update();
});
