/*
 * The recovery codes page of django-secure-shopadmin: no framework, no inline script.
 *
 * Shows the copy, download and print buttons (hidden without script), builds the .txt in the
 * browser from the codes on the page (nothing is asked of the server again: the codes are shown
 * only once), and keeps "continue" disabled until "I have saved my recovery codes" is ticked.
 * Messages come translated from the page's data-msg-* attributes.
 */
(function () {
  "use strict";

  var tools = document.getElementById("recovery-tools");
  var form = document.getElementById("codes-saved-form");
  if (!tools || !form) {
    return;
  }
  var status = document.getElementById("recovery-status");
  var box = form.querySelector("input[name=saved]");
  var proceed = document.getElementById("continue");

  function codes() {
    return Array.prototype.map.call(document.querySelectorAll("#recovery-codes code"), function (code) {
      return code.textContent.trim();
    });
  }

  function fileText() {
    var heading = document.getElementById("recovery-heading").textContent.trim();
    return [heading, ""].concat(codes()).join("\n") + "\n";
  }

  function say(message) {
    status.textContent = message;
  }

  function selectCodes() {
    var range = document.createRange();
    range.selectNodeContents(document.getElementById("recovery-codes"));
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy() {
    var failed = function () {
      selectCodes();
      say(tools.dataset.msgCopyFailed);
    };
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      failed();
      return;
    }
    navigator.clipboard.writeText(codes().join("\n") + "\n").then(function () {
      say(tools.dataset.msgCopied);
    }, failed);
  }

  function download() {
    var url = URL.createObjectURL(new Blob([fileText()], {type: "text/plain;charset=utf-8"}));
    var link = document.createElement("a");
    link.href = url;
    link.download = tools.dataset.filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 1000);
    say(tools.dataset.msgDownloaded);
  }

  function followBox() {
    proceed.disabled = !box.checked;
  }

  document.getElementById("copy-codes").addEventListener("click", copy);
  document.getElementById("download-codes").addEventListener("click", download);
  document.getElementById("print-codes").addEventListener("click", function () {
    window.print();
  });
  box.addEventListener("change", followBox);
  followBox();
  tools.hidden = false;
}());
