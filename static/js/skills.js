// The examiner's phone page: each tap is saved at once through the API; while the
// connection is down the sheet is kept in localStorage, the page says how many changes
// are not yet synchronised ("N 项未同步"), and they are sent when the network returns
// (on the `online` event, and every 15 seconds). A submitted sheet is locked; a
// correction sends a reason and becomes a new version. Without this script the form is
// posted whole. An item with a condition has a 不适用 button: the box then holds
// "不适用" and the item is sent as {code, not_applicable: true}.
(function () {
  var form = document.getElementById('sheet');
  if (!form) return;
  var url = form.getAttribute('data-url');
  var csrf = form.getAttribute('data-csrf');
  var key = form.getAttribute('data-key');
  var locked = form.getAttribute('data-locked') === '1';
  var syncBox = document.querySelector('[data-sync]');
  var pointsBox = document.querySelector('[data-points]');
  var verdictBox = document.querySelector('[data-verdict]');
  var statusBox = document.querySelector('[data-status]');
  var unsynced = 0;
  var inflight = false;
  var reason = null;

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { return null; }
  }
  function keep() {
    try {
      if (unsynced > 0) localStorage.setItem(key, JSON.stringify({ sheet: collect(), unsynced: unsynced, reason: reason }));
      else localStorage.removeItem(key);
    } catch (e) { /* private mode: the counter still tells the examiner */ }
  }
  function inputs() { return form.querySelectorAll('input, textarea, button[data-set]'); }
  function setLocked(on) {
    locked = on;
    inputs().forEach(function (i) { if (!i.hasAttribute('data-reason')) i.disabled = on; });
  }
  function collect() {
    var items = [];
    form.querySelectorAll('[data-item]').forEach(function (box) {
      var v = box.querySelector('input').value.trim();
      if (v === '不适用') items.push({ code: box.getAttribute('data-item'), not_applicable: true });
      else if (v !== '') items.push({ code: box.getAttribute('data-item'), points: Number(v) });
    });
    var rating = form.querySelector('input[name="global_rating"]:checked');
    var notes = form.querySelector('textarea[name="notes"]');
    return { items: items, global_rating: rating ? Number(rating.value) : null, notes: notes ? notes.value : '' };
  }
  function apply(sheet) {
    sheet.items.forEach(function (m) {
      var box = form.querySelector('[data-item="' + m.code + '"] input');
      if (box) box.value = m.not_applicable ? '不适用' : String(m.points);
    });
    form.querySelectorAll('input[name="global_rating"]').forEach(function (r) {
      r.checked = Number(r.value) === sheet.global_rating;
    });
    var notes = form.querySelector('textarea[name="notes"]');
    if (notes) notes.value = sheet.notes || '';
  }
  function show(text, cls) {
    syncBox.textContent = text;
    syncBox.className = 'small save-state ' + (cls || '');
  }
  function state() {
    if (unsynced === 0) show('全部已同步 ' + new Date().toTimeString().slice(0, 8), 'ok');
    else show(unsynced + ' 项未同步' + (navigator.onLine === false ? '（网络已断开，恢复后自动同步）' : '（正在同步…）'), 'warn');
  }
  function answered(view) {
    pointsBox.textContent = String(view.points);
    verdictBox.textContent = view.passed ? '合格' : (view.critical_missed ? '关键项漏做，不合格' : '未达合格分');
    statusBox.textContent = (view.status === 'submitted' ? '已提交' : '未提交') + '（第 ' + view.version + ' 版）';
  }
  function send(submit) {
    var body = collect();
    body.submit = !!submit;
    if (reason) body.reason = reason;
    return fetch(url, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body)
    });
  }
  function problem(r) {
    return r.json().then(function (p) {
      var list = (p.errors || []).map(function (e) { return e.message; });
      return list.length ? list.join('；') : (p.detail || p.title || '保存失败');
    }, function () { return '保存失败'; });
  }
  function sync() {
    if (inflight || unsynced === 0 || locked) { state(); return; }
    inflight = true;
    var sent = unsynced;
    state();
    send(false).then(function (r) {
      inflight = false;
      if (r.status === 200) {
        reason = null;
        unsynced = Math.max(0, unsynced - sent);
        keep();
        r.json().then(answered);
        if (unsynced > 0) sync(); else state();
      } else if (r.status === 409) {
        unsynced = 0; keep(); setLocked(true);
        show('评分表已提交并锁定，未保存的修改需填写更正原因', 'bad');
      } else {
        problem(r).then(function (m) { show(m + '（' + unsynced + ' 项未同步）', 'bad'); });
      }
    }, function () {
      inflight = false;
      state();
    });
  }
  function changed() {
    if (locked) return;
    unsynced += 1;
    keep();
    sync();
  }

  form.addEventListener('click', function (ev) {
    var b = ev.target.closest('button[data-set]');
    if (!b || locked) return;
    var input = b.closest('[data-item]').querySelector('input');
    input.value = b.getAttribute('data-set');
    changed();
  });
  form.addEventListener('change', function (ev) {
    if (ev.target.hasAttribute('data-reason')) return;
    changed();
  });
  var typing = null;
  form.addEventListener('input', function (ev) {
    if (ev.target.name !== 'notes') return;
    clearTimeout(typing);
    typing = setTimeout(changed, 800);
  });
  var submitButton = form.querySelector('[data-submit]');
  if (submitButton) {
    submitButton.addEventListener('click', function (ev) {
      ev.preventDefault();
      if (!window.confirm('提交后评分表将锁定，确定提交吗？')) return;
      send(true).then(function (r) {
        if (r.status === 200) {
          unsynced = 0; keep();
          window.location.reload();
        } else {
          problem(r).then(function (m) { show(m, 'bad'); });
        }
      }, function () { show('网络已断开，恢复后请再次提交（修改已保存在本机）', 'bad'); });
    });
  }
  var correct = form.querySelector('[data-correct]');
  if (correct) {
    correct.addEventListener('click', function () {
      var r = form.querySelector('[data-reason]').value.trim();
      if (!r) { show('请先填写更正原因', 'bad'); return; }
      reason = r;
      setLocked(false);
      correct.disabled = true;
      show('请修改评分，修改将保存为新版本', 'warn');
    });
  }
  window.addEventListener('online', sync);
  setInterval(function () { if (unsynced > 0) sync(); }, 15000);

  var saved = load();
  if (saved && saved.unsynced > 0 && saved.sheet) {
    apply(saved.sheet);
    unsynced = saved.unsynced;
    reason = saved.reason || null;
    if (reason) setLocked(false);
    sync();
  } else {
    state();
    if (locked) setLocked(true);
  }
})();
