// The examiner's phone page (390×844) when the connection drops: taps are kept on the
// phone, the page counts what is not yet synchronised, and everything is sent when the
// network returns — nothing lost.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { BASE, PHONE, launch, loggedIn, shot } = require('./lib');

async function syncText(page) {
  return (await page.textContent('[data-sync]')).trim();
}

test('examiner sheet: offline taps kept, counted, synced when back', async () => {
  const browser = await launch();
  try {
    const { context, page } = await loggedIn(browser, 'demo-instructor', process.env.PW_INSTRUCTOR, PHONE);
    await page.goto(BASE + '/skills');
    const exams = await page.$$eval('a[href^="/skills/exams/"]', (as) => as.map((a) => a.getAttribute('href')).filter((h) => /^\/skills\/exams\/\d+$/.test(h)));
    assert.ok(exams.length > 0, 'the examiner sees its skills exams');
    // A sheet not yet submitted: the page shows an editable form.
    let found = false;
    for (const exam of exams) {
      await page.goto(BASE + exam);
      const sheets = await page.$$eval('a[href*="/score/"]', (as) => as.map((a) => a.getAttribute('href')));
      for (const href of sheets.reverse()) {
        await page.goto(BASE + href);
        if (await page.locator('#sheet[data-locked="0"]').count()) { found = true; break; }
      }
      if (found) break;
    }
    assert.ok(found, 'an unsubmitted sheet to score');
    const items = page.locator('#sheet [data-item]');
    assert.ok((await items.count()) >= 3, 'the station has checklist items');

    // Online: a tap is saved at once.
    await items.nth(0).locator('button[data-set]').last().click();
    await page.waitForFunction(() => /全部已同步/.test(document.querySelector('[data-sync]').textContent), null, { timeout: 10000 });

    // Offline: two taps wait on the phone and are counted.
    await context.setOffline(true);
    await items.nth(1).locator('button[data-set]').last().click();
    await items.nth(2).locator('button[data-set]').first().click();
    await page.waitForFunction(() => /2 项未同步/.test(document.querySelector('[data-sync]').textContent), null, { timeout: 10000 });
    const text = await syncText(page);
    assert.match(text, /网络已断开/, `the examiner is told the network is down: "${text}"`);
    const kept = await page.evaluate(() => {
      const key = document.getElementById('sheet').getAttribute('data-key');
      return JSON.parse(localStorage.getItem(key) || 'null');
    });
    assert.ok(kept && kept.unsynced === 2, 'the unsynced taps are kept in localStorage');
    const want = await page.$$eval('#sheet [data-item] input', (is) => is.slice(0, 3).map((i) => i.value));
    await shot(page, 'examiner-offline');

    // Back online: synced, and the server has every tap.
    await context.setOffline(false);
    await page.waitForFunction(() => /全部已同步/.test(document.querySelector('[data-sync]').textContent), null, { timeout: 20000 });
    await page.reload();
    const got = await page.$$eval('#sheet [data-item] input', (is) => is.slice(0, 3).map((i) => i.value));
    assert.deepEqual(got.map(Number), want.map(Number), 'the server kept all three taps');
    await shot(page, 'examiner-synced');
    await context.close();
  } finally {
    await browser.close();
  }
});
