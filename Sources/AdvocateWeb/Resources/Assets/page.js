// The survey page works without this script. With it, the first sign of a person at the page
// (a pointer, a key, a touch, a scroll) confirms a score given by a one-click e-mail link: link
// scanners load pages but do not interact with them.
(function () {
  var form = document.querySelector("form[data-beacon]");
  if (!form || !navigator.sendBeacon) return;
  var events = ["pointerdown", "pointermove", "keydown", "touchstart", "scroll", "focusin"];
  var sent = false;
  function signal() {
    if (sent) return;
    sent = true;
    events.forEach(function (e) { window.removeEventListener(e, signal, true); });
    var body = new URLSearchParams();
    body.set("csrf", form.querySelector("input[name=csrf]").value);
    navigator.sendBeacon(form.getAttribute("data-beacon"), body);
  }
  events.forEach(function (e) { window.addEventListener(e, signal, { capture: true, passive: true }); });
})();
