/* Patron screens. Everything works without this file; with it, htmx completes the address
   as soon as a whole postal code is typed (hx-trigger on the postal code field). */
"use strict";
window.shokaPostalCodeComplete = function (input) {
  // 7 digits, full- or half-width, whatever the hyphens and 〒 around them.
  return input.value.replace(/[^0-9\uFF10-\uFF19]/g, "").length === 7;
};
