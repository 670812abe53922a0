// The approval queue: "select all on this page" and the count of ticked rows on the
// bulk button. Without this script the ticked rows are still sent by the bulk form.
(function () {
  var form = document.getElementById('bulk');
  if (!form) return;
  var all = form.querySelector('[data-select-all]');
  var count = form.querySelector('[data-selected]');
  function boxes() {
    return document.querySelectorAll('input[type=checkbox][form=bulk][name=ids]');
  }
  function update() {
    var n = 0;
    boxes().forEach(function (b) { if (b.checked) n += 1; });
    count.textContent = String(n);
    all.checked = n > 0 && n === boxes().length;
  }
  all.addEventListener('change', function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
    update();
  });
  document.addEventListener('change', function (e) {
    if (e.target && e.target.getAttribute('form') === 'bulk') update();
  });
  form.addEventListener('submit', function (e) {
    var n = Number(count.textContent);
    if (n === 0) { e.preventDefault(); window.alert('请先勾选要认定的记录'); return; }
    if (!window.confirm('认定所选的 ' + n + ' 条记录？')) e.preventDefault();
  });
  update();
})();
