/* The circulation desk: scanner-friendly forms, audible cues, keyboard shortcuts.
   No build step; htmx (vendor/htmx.min.js) does the requests. Works without it too:
   every form posts normally and the server renders the whole page. */
(function () {
  "use strict";

  var audio = null;
  function context() {
    if (!audio) {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      audio = new Ctx();
    }
    if (audio.state === "suspended") audio.resume();
    return audio;
  }

  // A short tone sequence: [frequency Hz, duration s] pairs.
  function tones(seq) {
    var ctx = context();
    if (!ctx) return;
    var t = ctx.currentTime;
    seq.forEach(function (step) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "square";
      osc.frequency.value = step[0];
      gain.gain.setValueAtTime(0.08, t);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + step[1]);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + step[1]);
      t += step[1] + 0.04;
    });
  }

  var CUES = {
    ok: [[1320, 0.09]], // one high beep
    action: [[880, 0.1], [1320, 0.1]], // rising: do something with the item
    refused: [[220, 0.22], [180, 0.32]], // low, long, twice
  };

  function cue(el) {
    var node = el && el.matches && el.matches("[data-cue]") ? el : el && el.querySelector && el.querySelector("[data-cue]");
    if (node && CUES[node.dataset.cue]) tones(CUES[node.dataset.cue]);
  }

  function mainScan() {
    return document.querySelector("[data-scan-main]");
  }

  function focusScan() {
    var field = mainScan();
    if (field) {
      field.focus();
      field.select();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A page rendered after a plain form post: play the cue of its result.
    var first = document.querySelector("#results > [data-cue]");
    if (first) cue(first);
  });

  // The scanned value is taken as the request is built; clear the field at once so the
  // next scan can be typed while the first is in flight (requests queue: hx-sync).
  document.addEventListener("htmx:configRequest", function (evt) {
    var form = evt.detail.elt;
    if (form && form.classList && form.classList.contains("scan-form")) {
      var field = form.querySelector("input.scan");
      if (field) field.value = "";
    }
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "results") {
      cue(evt.detail.target.firstElementChild);
      // Back to scanning, even after a refusal: the next scan must never land in an
      // override reason. F8 goes to the reason field of the newest refusal.
      focusScan();
    }
  });

  document.addEventListener("htmx:responseError", function () {
    tones(CUES.refused);
  });

  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape") {
      focusScan();
    } else if (evt.key === "F8") {
      var reason = document.querySelector("#results > li:first-child form.override input[name=override_reason]");
      if (reason) {
        evt.preventDefault();
        reason.focus();
      }
    } else if (evt.key === "F9") {
      var slip = document.querySelector("#results .slip-link");
      if (slip) {
        evt.preventDefault();
        window.open(slip.href, "_blank", "noopener");
      }
    }
  });
})();
