// File uploads of the candidate pages: the form is posted with fetch (FormData) and the CSRF
// token in a header, because files arrive on streamed routes. The answer is JSON: a page to
// go to ({redirect}), a fragment to show ({html}, rendered and escaped by the server), or a
// Chinese error ({error}).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var error = form.querySelector("[data-error]");
      var label = button.textContent;
      error.hidden = true;
      button.disabled = true;
      button.textContent = "正在上传…";
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": window.wb.csrf() },
        body: new FormData(form),
      })
        .then(function (response) {
          return response.json().catch(function () {
            return { error: "上传失败（" + response.status + "），请稍后重试。" };
          });
        })
        .then(function (answer) {
          if (answer.redirect) {
            window.location.assign(answer.redirect);
            return;
          }
          if (answer.html !== undefined) {
            document.getElementById("upload-result").innerHTML = answer.html;
            form.reset();
          }
          if (answer.error) {
            error.textContent = answer.error;
            error.hidden = false;
          }
        })
        .catch(function () {
          error.textContent = "网络中断，请检查网络后重试。";
          error.hidden = false;
        })
        .then(function () {
          button.disabled = false;
          button.textContent = label;
        });
    });
  });
});
