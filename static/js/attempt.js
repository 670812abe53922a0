// The attempt page: a countdown from the server's deadline (the phone's clock is never
// read for it), answers saved one at a time as they are chosen, a "saved" state per
// question, and a local copy that survives a reload or a dropped connection and is sent
// again when the network returns. Without this script the page still works: the
// answers are sent with the form when the candidate submits.
(function () {
  var form = document.getElementById('paper');
  if (!form) return;
  var attempt = form.getAttribute('data-attempt');
  var csrf = form.getAttribute('data-csrf');
  var storeKey = 'cunyi-attempt-' + attempt;
  var stateBox = form.querySelector('[data-save-state]');
  var clock = form.querySelector('[data-clock]');
  var progress = form.querySelector('[data-progress]');
  var ends = performance.now() + Number(form.getAttribute('data-remaining')) * 1000;
  var pending = {};
  var finished = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || '{}'); } catch (e) { return {}; }
  }
  function keep(local) {
    try { localStorage.setItem(storeKey, JSON.stringify(local)); } catch (e) { /* private mode */ }
  }
  function answerOf(box) {
    var picked = [];
    box.querySelectorAll('input').forEach(function (i) { if (i.checked) picked.push(i.value); });
    return picked.sort().join('');
  }
  function setAnswer(box, answer) {
    box.querySelectorAll('input').forEach(function (i) { i.checked = answer.indexOf(i.value) >= 0; });
  }
  function mark(box, text, cls) {
    var s = box.querySelector('[data-q-state]');
    s.textContent = text;
    s.className = 'small q-state ' + (cls || '');
  }
  function count() {
    var boxes = form.querySelectorAll('fieldset.question');
    var done = 0;
    boxes.forEach(function (b) {
      var answered = answerOf(b) !== '';
      if (answered) done += 1;
      var link = form.querySelector('[data-nav="' + b.getAttribute('data-qid') + '"]');
      if (link) link.className = answered ? 'done' : '';
    });
    progress.textContent = done + '/' + boxes.length;
    progress.title = '已答 ' + done + ' / ' + boxes.length + ' 题';
  }
  // The bar stays one line on a phone: a short state here, the sentence in its title
  // (and under each question).
  function status() {
    var waiting = Object.keys(pending).length;
    var offline = navigator.onLine === false;
    if (waiting === 0) {
      var now = new Date();
      stateBox.textContent = offline ? '离线·已存' : '已存 ' + now.toTimeString().slice(0, 5);
      stateBox.title = '全部已保存 ' + now.toTimeString().slice(0, 8);
      stateBox.className = 'small save-state ok';
    } else {
      stateBox.textContent = (offline ? '离线·' : '') + waiting + ' 题未存';
      stateBox.title = waiting + ' 题待保存' + (offline ? '（网络已断开，恢复后自动重试）' : '');
      stateBox.className = 'small save-state warn';
    }
  }
  function save(qid) {
    var box = form.querySelector('fieldset[data-qid="' + qid + '"]');
    if (!box || finished) return;
    var answer = answerOf(box);
    pending[qid] = answer;
    mark(box, '保存中…');
    status();
    fetch('/api/v1/attempts/' + attempt + '/answers/' + encodeURIComponent(qid), {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ answer: answer })
    }).then(function (r) {
      if (r.status === 204) {
        if (pending[qid] === answer) delete pending[qid];
        mark(box, '已保存', 'ok');
      } else if (r.status === 409) {
        finished = true;
        mark(box, '考试时间已到，此答案未保存', 'bad');
        stateBox.textContent = '考试已结束，正在查看成绩…';
        window.location.href = '/attempts/' + attempt;
      } else {
        mark(box, '未保存（' + r.status + '），请重新选择', 'bad');
      }
      status();
    }).catch(function () {
      mark(box, '未保存：网络断开，恢复后自动重试', 'warn');
      status();
    });
  }
  function retry() {
    Object.keys(pending).forEach(save);
  }

  // Restore what this phone chose but the server may not have (a reload while offline).
  var local = load();
  Object.keys(local).forEach(function (qid) {
    var box = form.querySelector('fieldset[data-qid="' + qid + '"]');
    if (box && answerOf(box) !== local[qid]) {
      setAnswer(box, local[qid]);
      save(qid);
    }
  });
  count();

  form.addEventListener('change', function (e) {
    var box = e.target.closest('fieldset.question');
    if (!box) return;
    var qid = box.getAttribute('data-qid');
    var l = load();
    l[qid] = answerOf(box);
    keep(l);
    count();
    save(qid);
  });
  form.addEventListener('submit', function (e) {
    if (finished) return;
    var left = form.querySelectorAll('fieldset.question').length - form.querySelectorAll('.qnav a.done').length;
    var ask = left > 0 ? '还有 ' + left + ' 题未作答，确定交卷吗？' : '确定交卷吗？交卷后不能修改。';
    if (e.submitter && !window.confirm(ask)) { e.preventDefault(); return; }
    finished = true;
    try { localStorage.removeItem(storeKey); } catch (err) { /* ignore */ }
  });
  window.addEventListener('online', function () { status(); retry(); });
  window.addEventListener('offline', status);
  setInterval(function () { if (Object.keys(pending).length) retry(); }, 5000);

  function tick() {
    var left = Math.max(0, Math.round((ends - performance.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    clock.textContent = m + ':' + (s < 10 ? '0' : '') + s;
    clock.title = '剩余时间';
    if (left <= 300) clock.className = 'clock warn';
    if (left === 0 && !finished) {
      finished = true;
      clock.textContent = '时间到，正在交卷…';
      try { localStorage.removeItem(storeKey); } catch (err) { /* ignore */ }
      form.submit();
      return;
    }
    setTimeout(tick, 1000);
  }
  tick();
})();
