// Behaviour every page shares. The Content-Security-Policy forbids script and style
// attributes in pages, so what they would have done is bound here from data attributes.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // <button data-print>: print the page.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // <div class="progress-bar" data-width="42">: a bar 42% wide.
  document.querySelectorAll("[data-width]").forEach(function (bar) {
    const percent = Math.max(0, Math.min(100, parseFloat(bar.dataset.width) || 0));
    bar.style.width = percent + "%";
  });
});
