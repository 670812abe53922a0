// Shared by the specs: a Chromium per spec file, a logged-in page, screenshots and a
// few measurements taken in the page.
'use strict';
const path = require('node:path');
const { chromium } = require('playwright-core');

const BASE = process.env.CUNYI_BASE_URL || 'http://127.0.0.1:8080';
const SHOTS = process.env.SCREENSHOTS || path.join(__dirname, '..', '..', '..', 'target', 'browser');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** A fresh context of the given size, logged in as `username`. */
async function loggedIn(browser, username, password, viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('dialog', (d) => d.accept());
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  if (new URL(page.url()).pathname === '/login') {
    throw new Error('login failed for ' + username);
  }
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: false });
}

/** getBoundingClientRect of the first element matching `selector`. */
async function rect(page, selector) {
  const r = await page.$eval(selector, (el) => {
    const b = el.getBoundingClientRect();
    return { top: b.top, bottom: b.bottom, left: b.left, right: b.right, height: b.height, width: b.width };
  });
  return r;
}

module.exports = { BASE, PHONE, DESKTOP, launch, loggedIn, shot, rect };
