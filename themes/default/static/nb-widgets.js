/* Hides a widget's text fallback once @jupyter-widgets/html-manager (loaded before this file
   with `defer`) has drawn the widget from the notebook's saved state. If the manager cannot
   load, the fallback (the widget's text/plain repr) stays: never an empty box. */
(function () {
  "use strict";

  var tries = 0;

  function check() {
    var pending = 0;
    Array.prototype.forEach.call(document.querySelectorAll(".output_widget_view"), function (box) {
      var drawn = box.querySelector(".widget-subarea > *, .jupyter-widgets");
      var fallback = box.querySelector(".nb-fallback");
      if (drawn && fallback) { fallback.hidden = true; } else if (fallback) { pending += 1; }
    });
    tries += 1;
    if (pending && tries < 40) { window.setTimeout(check, 250); }
  }

  window.addEventListener("load", check);
})();
