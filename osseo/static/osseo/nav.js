// The main menu's groups as disclosures (issue 20: the menu wrapped to three rows). Each group's
// button shows or hides its list; Escape closes an open group and returns to its button; a click
// elsewhere closes it. Without this script every group stays open (the page still works).
(function () {
  function close(button) {
    button.setAttribute("aria-expanded", "false");
    document.getElementById(button.getAttribute("aria-controls")).hidden = true;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = Array.prototype.slice.call(document.querySelectorAll(".nav-toggle"));
    buttons.forEach(function (button) {
      close(button);
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") === "true";
        buttons.forEach(close);
        if (!open) {
          button.setAttribute("aria-expanded", "true");
          document.getElementById(button.getAttribute("aria-controls")).hidden = false;
        }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      buttons.forEach(function (button) {
        if (button.getAttribute("aria-expanded") === "true") { close(button); button.focus(); }
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".nav-group")) { buttons.forEach(close); }
    });
  });
})();
