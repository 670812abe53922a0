// Keeps the rotating check-in code and its QR code current on the instructor's page.
(function () {
  var box = document.querySelector('[data-checkin-code]');
  if (!box) return;
  var url = box.getAttribute('data-checkin-code');
  function tick() {
    fetch(url, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d || !d.open) return;
        box.querySelector('.code').textContent = d.code;
        box.querySelector('img').src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(d.qr_svg);
        box.querySelector('.link').textContent = d.url;
      })
      .catch(function () {});
  }
  setInterval(tick, 5000);
})();
