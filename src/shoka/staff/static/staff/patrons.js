/* Patron screens. Everything works without this file; with it, htmx completes the address
   as soon as a whole postal code is typed (hx-trigger on the postal code field). */
"use strict";
window.shokaPostalCodeComplete = function (input) {
  // 7 digits, full- or half-width, whatever the hyphens and 〒 around them.
  return input.value.replace(/[^0-9\uFF10-\uFF19]/g, "").length === 7;
};

// The server found the town of a postal code (HX-Trigger "shoka:address"): fill the address
// field, but only while it is still empty, so nothing typed meanwhile is lost.
document.addEventListener("shoka:address", function (event) {
  var input = document.getElementById("id_address");
  if (input && !input.value.trim() && event.detail && event.detail.value) {
    input.value = event.detail.value;
  }
});
