// The board and the review page: selection count, the bulk bar's fields per action,
// comparing the selected, confirming decisions, and seeking the video to a transcript line.
"use strict";
(function () {
  function $all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }

  function picked() { return $all('input[name="ids"]:checked').map(function (box) { return box.value; }); }

  function showFields() {
    var action = document.getElementById("bulk-action");
    $all(".bulk-field").forEach(function (field) {
      var wanted = (field.getAttribute("data-for") || "").split(" ");
      field.hidden = !action || wanted.indexOf(action.value) < 0;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name === "ids") {
      var count = document.getElementById("selected-count");
      if (count) { count.textContent = String(picked().length); }
    }
    if (target.id === "bulk-action") { showFields(); }
    if (target.id === "stage-select") { target.form.submit(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button") : null;
    if (!target) { return; }
    if (target.id === "compare-selected") {
      var ids = picked();
      var url = target.getAttribute("data-url");
      window.location.href = url + (ids.length ? "?" + ids.map(function (id) { return "ids=" + id; }).join("&") : "");
    }
    if (target.classList.contains("seek")) {
      var video = document.getElementById(target.getAttribute("data-video"));
      if (video) {
        video.currentTime = parseFloat(target.getAttribute("data-at")) || 0;
        video.scrollIntoView({ block: "nearest" });
        var playing = video.play();
        if (playing && playing.catch) { playing.catch(function () {}); }
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (form.id === "bulk-form" && picked().length === 0) {
      event.preventDefault();
      window.alert("请先勾选候选人。");
      return;
    }
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  showFields();
})();
