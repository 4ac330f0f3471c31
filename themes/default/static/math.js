/* Math is typeset when the site is built (generator/readers/tex.py): a page holds KaTeX's
   HTML, and needs only katex.min.css. What was left as TeX (no QuickJS at build time, or a
   formula the build could not typeset) is typeset here: this file loads KaTeX's scripts only
   then, and only inside elements that hold math, so a "$" in prose is never taken for math. */
(function () {
  "use strict";
  var envs = ["equation", "equation*", "align", "align*", "gather", "gather*", "alignat",
              "alignat*", "multline", "multline*", "eqnarray", "eqnarray*"];
  var base = [
    {left: "\\[", right: "\\]", display: true},
    {left: "\\(", right: "\\)", display: false}
  ];
  envs.forEach(function (env) {
    base.push({left: "\\begin{" + env + "}", right: "\\end{" + env + "}", display: true});
  });
  var dollars = [{left: "$$", right: "$$", display: true}, {left: "$", right: "$", display: false}];
  var here = document.currentScript && document.currentScript.src;
  var folder = here ? here.replace(/[^/]*$/, "katex/") : "katex/";

  function raw(selector) {
    return Array.prototype.filter.call(document.querySelectorAll(selector), function (el) {
      return !el.querySelector(".katex");
    });
  }

  function load(src) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = folder + src;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function typeset() {
    var plain = raw(".math");
    var outputs = raw(".output_latex, .math-output");
    if (!plain.length && !outputs.length) { return; }
    load("katex.min.js").then(function () { return load("auto-render.min.js"); }).then(function () {
      plain.forEach(function (el) {
        window.renderMathInElement(el, {delimiters: base, throwOnError: false});
      });
      outputs.forEach(function (el) {
        window.renderMathInElement(el, {delimiters: dollars.concat(base), throwOnError: false});
      });
    }, function () { /* offline: the TeX stays readable as it is */ });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", typeset);
  } else {
    typeset();
  }
})();
