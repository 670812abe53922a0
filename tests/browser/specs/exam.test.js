// The doctor's exam on a 390×844 phone: the sticky bar stays one compact line online,
// offline and with unsaved answers; a tapped question number lands below the bar;
// answers given offline are saved when the network returns; after a reload every
// saved answer carries its "已保存" mark.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { BASE, PHONE, launch, loggedIn, shot, rect } = require('./lib');

const BAR_MAX = 64;

async function barIsOneLine(page, when) {
  const bar = await rect(page, '[data-exam-bar]');
  assert.ok(bar.height <= BAR_MAX, `${when}: the exam bar is ${bar.height}px high (at most ${BAR_MAX})`);
  const title = await page.$eval('.exam-title', (el) => {
    const s = getComputedStyle(el);
    return { h: el.getBoundingClientRect().height, line: parseFloat(s.lineHeight) || 20, overflow: s.textOverflow, ws: s.whiteSpace };
  });
  assert.ok(title.h <= title.line * 1.5, `${when}: the title wraps (${title.h}px for a ${title.line}px line)`);
  assert.equal(title.overflow, 'ellipsis');
  assert.equal(title.ws, 'nowrap');
  return bar;
}

async function openAttempt(page) {
  await page.goto(BASE + '/exams');
  const resume = await page.$('a[href^="/attempts/"]:has-text("继续答题")');
  if (resume) {
    await Promise.all([page.waitForNavigation(), resume.click()]);
  } else {
    const start = page.locator('form[action$="/start"] button[type=submit]').first();
    await Promise.all([page.waitForNavigation(), start.click()]);
  }
  assert.match(new URL(page.url()).pathname, /^\/attempts\/\d+$/, 'the attempt page opens');
  await page.waitForSelector('#paper fieldset.question');
}

test('exam page: compact bar, jump below it, offline answers kept and marked', async () => {
  const browser = await launch();
  try {
    const { context, page } = await loggedIn(browser, 'demo-doctor', process.env.PW_DOCTOR, PHONE);
    await openAttempt(page);
    const count = await page.locator('#paper fieldset.question').count();
    assert.ok(count >= 3, `the paper has ${count} questions`);
    await barIsOneLine(page, 'online');

    // Answer the first question online: saved and marked.
    const q = (n) => page.locator(`#paper fieldset.question >> nth=${n}`);
    await q(0).locator('label.choice').first().click();
    await assertMark(q(0), '已保存');

    // Offline: two more answers wait, the bar says so and stays one line.
    await context.setOffline(true);
    await q(1).locator('label.choice').first().click();
    await q(2).locator('label.choice').nth(1).click();
    await page.waitForFunction(() => /离线/.test(document.querySelector('[data-save-state]').textContent));
    const state = await page.textContent('[data-save-state]');
    assert.match(state, /2 题未存/, `the bar counts the unsaved answers: "${state}"`);
    await barIsOneLine(page, 'offline with unsaved answers');
    await shot(page, 'exam-offline');

    // Tap a question number: its stem and option A are below the sticky bar.
    const target = Math.max(2, Math.floor(count / 2));
    await page.click(`.qnav a >> nth=${target}`);
    await page.waitForTimeout(300);
    const bar = await rect(page, '[data-exam-bar]');
    const id = await page.getAttribute(`.qnav a >> nth=${target}`, 'href');
    const stem = await rect(page, `${id} .stem`);
    const optionA = await rect(page, `${id} label.choice`);
    assert.ok(bar.top >= -1 && bar.top <= 1, `the bar is stuck at the top (${bar.top})`);
    assert.ok(stem.top >= bar.bottom, `stem top ${stem.top} is below the bar's bottom ${bar.bottom}`);
    assert.ok(optionA.top >= bar.bottom, `option A top ${optionA.top} is below the bar's bottom ${bar.bottom}`);
    assert.ok(optionA.bottom <= PHONE.height, `option A is on screen (${optionA.bottom})`);
    await shot(page, 'exam-jump');

    // Back online: the waiting answers are saved.
    await context.setOffline(false);
    await assertMark(q(1), '已保存', 15000);
    await assertMark(q(2), '已保存', 15000);
    await page.waitForFunction(() => document.querySelector('[data-save-state]').classList.contains('ok'), null, { timeout: 15000 });

    // Reload: the three answers come back checked, each marked saved.
    await page.reload();
    await page.waitForSelector('#paper fieldset.question');
    for (const n of [0, 1, 2]) {
      assert.equal(await q(n).locator('input:checked').count(), 1, `question ${n + 1} is still answered`);
      assert.equal((await q(n).locator('[data-q-state]').textContent()).trim(), '已保存', `question ${n + 1} is marked saved after the reload`);
    }
    await barIsOneLine(page, 'after a reload');
    await shot(page, 'exam-reloaded');
    await context.close();
  } finally {
    await browser.close();
  }
});

async function assertMark(question, text, timeout = 8000) {
  await question.locator('[data-q-state]').filter({ hasText: text }).waitFor({ timeout });
}
