/* The follow page's "Copy address" button (feed.html): copies the text of the element named by
   its data-copy (the feed's address, made absolute), says "Copied" for a moment and tells what
   to do next in the element named by its data-status. Where the clipboard is refused, the
   address is selected instead, to copy with the keyboard. Without this script the button is
   hidden (`scripting: none` in style.css) and the address is plain text to select. */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    var label = button.textContent;
    var timer;
    if (!source) { return; }
    // Nothing below moves afterwards: "Copied" is said by the button (which keeps its width)
    // and to a screen reader; the advice where copying failed appears once and stays.
    function say(text, done) {
      button.style.minWidth = button.offsetWidth + "px";
      button.textContent = done ? "Copied" : label;
      if (!status) { return; }
      status.textContent = text;
      if (!done) { status.classList.remove("visually-hidden"); }
      clearTimeout(timer);
      timer = setTimeout(function () {
        button.textContent = label;
        if (done && status.classList.contains("visually-hidden")) { status.textContent = ""; }
      }, 2500);
    }
    function select() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    button.addEventListener("click", function () {
      var text = new URL(source.textContent.trim(), document.baseURI).href;  // a path too
      var copied = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(text) : Promise.reject(new Error("no clipboard"));
      copied.then(function () {
        say("Copied to your clipboard.", true);
      }, function () {
        select();
        say("The address is selected: press Ctrl+C (⌘C on a Mac) to copy it.", false);
      });
    });
  });
})();
