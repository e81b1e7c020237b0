// Runegate Console: copy-to-clipboard buttons (no inline script; CSP script-src 'self').
// A button with data-copy="ID" copies the text of the element with that id.
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) { return; }
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) { return; }
  var text = source.value !== undefined ? source.value : source.textContent;
  var status = document.getElementById(button.getAttribute("data-copy") + "-status");
  function done(message) { if (status) { status.textContent = message; } }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(function () { done("Copied."); },
      function () { done("Copy failed: select the text and copy it."); });
  } else {
    if (source.select) { source.select(); }
    done(document.execCommand && document.execCommand("copy") ? "Copied." : "Select the text and copy it.");
  }
});
