// The approval queue at desktop size (1280×800): newest first with the true total,
// search by doctor name, bulk approval of ticked rows in one POST, and a single
// decision that returns to the same page at the next row.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { BASE, DESKTOP, launch, loggedIn, shot, rect } = require('./lib');

async function total(page) {
  const text = await page.textContent('[data-total]');
  const m = /共\s*(\d+)\s*条/.exec(text);
  assert.ok(m, `a total is shown: "${text}"`);
  return Number(m[1]);
}

test('approval queue: search, bulk approve, stay in place', async () => {
  const browser = await launch();
  try {
    const { context, page } = await loggedIn(browser, 'demo-county', process.env.PW_COUNTY, DESKTOP);
    await page.goto(BASE + '/study/review');
    const before = await total(page);
    assert.ok(before >= 4, `the demo county has records to review (${before})`);
    const shown = await page.locator('table.queue tbody tr').count();
    assert.equal(shown, Math.min(before, 50), 'a page of 50 at most');

    // Search by the first row's doctor: every row found is that doctor's.
    const name = (await page.textContent('table.queue tbody tr >> nth=0 >> td >> nth=1')).trim();
    await page.fill('input[name=q]', name);
    await Promise.all([page.waitForNavigation(), page.click('form[role=search] button[type=submit]')]);
    const found = await page.locator('table.queue tbody tr').count();
    assert.ok(found >= 1, 'the search finds the doctor');
    const names = await page.$$eval('table.queue tbody tr td:nth-child(2)', (tds) => tds.map((t) => t.textContent.trim()));
    assert.ok(names.every((n) => n.includes(name)), `only ${name}'s records: ${names.join(',')}`);
    await page.goto(BASE + '/study/review');

    // Bulk: tick three rows, one POST approves them all.
    const ids = await page.$$eval('input[form=bulk][name=ids]', (b) => b.slice(0, 3).map((x) => x.value));
    for (const id of ids) await page.check(`input[form=bulk][value="${id}"]`);
    assert.equal((await page.textContent('[data-selected]')).trim(), '3');
    await shot(page, 'queue-selected');
    const posts = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
    await Promise.all([page.waitForNavigation(), page.click('[data-bulk-submit]')]);
    assert.deepEqual(posts.map((u) => new URL(u).pathname), ['/study/review/bulk'], 'one POST');
    await page.locator('.alert.ok').filter({ hasText: '已认定 3 条记录' }).waitFor();
    assert.equal(await total(page), before - 3, 'the total drops by three');
    for (const id of ids) assert.equal(await page.locator(`#r-${id}`).count(), 0, `record ${id} left the queue`);
    await shot(page, 'queue-bulk-done');

    // One decision further down: back on the same page, at the row after it.
    const rows = await page.$$eval('table.queue tbody tr', (trs) => trs.map((t) => t.id));
    if (rows.length >= 3) {
      const pick = rows[Math.min(rows.length - 2, 8)];
      const next = rows[rows.indexOf(pick) + 1];
      await page.locator(`#${pick}`).scrollIntoViewIfNeeded();
      await Promise.all([page.waitForNavigation(), page.click(`#${pick} button[value=approve]`)]);
      const url = new URL(page.url());
      assert.equal(url.pathname, '/study/review');
      assert.equal(url.hash, '#' + next, 'the page returns at the next row');
      await page.waitForTimeout(200);
      const r = await rect(page, '#' + next);
      assert.ok(r.top >= -1 && r.top < DESKTOP.height, `the next row is on screen (${r.top})`);
      await shot(page, 'queue-single-done');
    }
    await context.close();
  } finally {
    await browser.close();
  }
});
