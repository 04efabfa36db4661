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
