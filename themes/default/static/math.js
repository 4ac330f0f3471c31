/* Typeset math with the bundled KaTeX (no CDN): only inside elements that hold math, so a "$"
   in prose or code is never mistaken for a formula. */
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
  function typeset() {
    if (typeof window.renderMathInElement !== "function") { return; }
    document.querySelectorAll(".math").forEach(function (el) {
      window.renderMathInElement(el, {delimiters: base, throwOnError: false});
    });
    document.querySelectorAll(".output_latex, .math-output").forEach(function (el) {
      window.renderMathInElement(el, {delimiters: dollars.concat(base), throwOnError: false});
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", typeset);
  } else {
    typeset();
  }
})();
