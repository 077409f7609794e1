// Qiao's one script, served by the server itself. Pages work without it; it only asks before
// buttons marked data-confirm submit their form.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
