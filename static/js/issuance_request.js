// The assistance request form: fields for the chosen kind, the shelter total and the
// payee name follow what the worker picks (assistance/issuance_request.html).
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("request-data").textContent);
  const form = document.getElementById("request-form");
  const kind = form.querySelector("[name=kind]");
  const client = form.querySelector("[name=client]");
  const payeeKind = form.querySelector("[name=payee_kind]");
  const payeeName = form.querySelector("[name=payee_name]");
  const nights = form.querySelector("[name=units]");
  const rate = form.querySelector("[name=unit_rate]");
  const total = document.getElementById("shelter-total");
  const line = document.getElementById("authority-line");
  const explain = total.textContent;
  let lastName = data.names[client.value] || "";

  function money(value) {
    return "$" + value.toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }
  function show() {
    const k = kind.value;
    form.querySelectorAll("[data-show-for]").forEach(function (el) {
      const want = el.dataset.showFor;
      el.hidden = !(want === k || (want === "not-shelter" && k !== "shelter"));
    });
    line.textContent = data.limits[k] || "";
    const n = parseInt(nights.value, 10), r = parseFloat((rate.value || "").replace(/[$,]/g, ""));
    total.textContent = (k === "shelter" && n > 0 && r > 0)
      ? n + " night" + (n === 1 ? "" : "s") + " × " + money(r) + " = " + money(n * r)
      : explain;
  }
  client.addEventListener("change", function () {
    const name = data.names[client.value] || "";
    if (payeeKind.value === "client" && (payeeName.value === "" || payeeName.value === lastName)) {
      payeeName.value = name;
    }
    lastName = name;
  });
  [kind, nights, rate].forEach(function (el) { el.addEventListener("input", show); el.addEventListener("change", show); });
  show();
})();
