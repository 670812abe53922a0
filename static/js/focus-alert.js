// A form that came back with an error: bring its alert to the top of the screen and
// move the focus to it, so the message is what a phone shows (and a screen reader
// reads) first. (The form's action names the alert as its fragment, so the browser
// does the same without this script; a fragment that is not the alert would take the
// focus back to the page.)
(function () {
  var alert = document.querySelector('[data-focus-alert]');
  if (!alert) return;
  alert.scrollIntoView({ block: 'start' });
  alert.focus({ preventScroll: true });
})();
