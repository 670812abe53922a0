// The doctor's self-study form on a 390×844 phone: a refused entry comes back with the
// error at the top of the screen, focused, announced (role="alert"), and the typed
// values still in the form. The record list is compact and paged; the check-in button
// is not offered for a session already attended.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { BASE, PHONE, launch, loggedIn, shot, rect } = require('./lib');

test('self-study error: alert on screen and focused, values kept', async () => {
  const browser = await launch();
  try {
    const { context, page } = await loggedIn(browser, 'demo-doctor', process.env.PW_DOCTOR, PHONE);
    await page.goto(BASE + '/study');
    // A date long before the program: the browser lets it through, the ledger refuses.
    await page.selectOption('#log select[name=kind]', 'online');
    await page.fill('#log input[name=occurred_on]', '2001-03-05');
    await page.fill('#log input[name=minutes]', '45');
    await page.fill('#log input[name=note]', '浏览器测试：人卫慕课第 3 章');
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.click('#log button[type=submit]'),
    ]);
    assert.equal(response.status(), 422, 'a refused entry is a 422 page');
    const alert = page.locator('#log [role=alert]');
    await alert.waitFor();
    await page.waitForTimeout(200);
    const box = await rect(page, '#log [role=alert]');
    assert.ok(box.top >= -1 && box.bottom <= PHONE.height, `the alert is on screen (${box.top}–${box.bottom})`);
    assert.ok(box.top <= PHONE.height / 3, `the alert is near the top of the screen (${box.top})`);
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('role'));
    assert.equal(focused, 'alert', 'the focus is on the alert');
    assert.equal(await page.inputValue('#log input[name=minutes]'), '45');
    assert.equal(await page.inputValue('#log input[name=occurred_on]'), '2001-03-05');
    assert.equal(await page.inputValue('#log input[name=note]'), '浏览器测试：人卫慕课第 3 章');
    assert.equal(await page.inputValue('#log select[name=kind]'), 'online');
    await shot(page, 'study-error');

    // Date and number inputs look like the text inputs.
    const look = await page.evaluate(() => {
      const st = (sel) => { const s = getComputedStyle(document.querySelector(sel)); return [s.borderTopWidth, s.borderRadius, s.minHeight, s.width]; };
      return { text: st('#log input[name=note]'), date: st('#log input[name=occurred_on]'), number: st('#log input[name=minutes]') };
    });
    assert.deepEqual(look.date, look.text, 'the date input is styled like the text input');
    assert.deepEqual(look.number, look.text, 'the number input is styled like the text input');

    // The record list: compact rows, at most one page of them.
    await page.goto(BASE + '/study');
    const rows = await page.locator('ul.rows li').count();
    assert.ok(rows >= 1 && rows <= 10, `one page of records (${rows})`);
    const list = await rect(page, 'ul.rows');
    assert.ok(list.height <= rows * 80, `compact rows (${list.height}px for ${rows})`);
    await context.close();
  } finally {
    await browser.close();
  }
});
