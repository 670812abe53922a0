// A form that came back with an error: bring its alert to the top of the screen and
// move the focus to it, so the message is what a phone shows (and a screen reader
// reads) first.
(function () {
  var alert = document.querySelector('[data-focus-alert]');
  if (!alert) return;
  alert.scrollIntoView({ block: 'start' });
  alert.focus({ preventScroll: true });
})();
