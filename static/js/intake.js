// Intake: "Add another member" copies the empty member form (casework/intake.html).
"use strict";
document.getElementById("add-member")?.addEventListener("click", function () {
  const total = document.getElementById("id_member-TOTAL_FORMS");
  const index = parseInt(total.value, 10);
  const html = document.getElementById("member-template").innerHTML
    .replace(/__prefix__/g, index).replace(/__number__/g, index + 1);
  document.getElementById("members").insertAdjacentHTML("beforeend", html);
  total.value = index + 1;
  document.getElementById("id_member-" + index + "-first_name").focus();
});
