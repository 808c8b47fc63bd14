// google_connect.mjs: connecting the business's Google account in Debian's Chromium
// (playwright-core), as the docs tell an admin to do it: a page of the relay's fetches
// POST /v1/google/connect with the admin token (the relay sets its binding cookie), then sends
// the browser to Google's consent page (the fake, which consents at once and redirects back),
// and Google's redirect brings the browser, cookie and all, to the relay's callback page.
// Prints one JSON line: {"ok":true,"title","url","cookie_on_callback_only"} or the failure.
//
//   node google_connect.mjs        environment: DONNA_RELAY_URL, DONNA_ADMIN_TOKEN
import { chromium } from 'playwright-core';

const relay = process.env.DONNA_RELAY_URL;
const token = process.env.DONNA_ADMIN_TOKEN;
const STEP_TIMEOUT = 20000;

function fail(message) {
  console.log(JSON.stringify({ ok: false, error: message }));
  process.exit(1);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run'],
}).catch((e) => fail(`Chromium did not start: ${e.message}`));
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Any page of the relay's own origin will do for the admin's script: /healthz is plain text.
  await page.goto(`${relay}/healthz`, { timeout: STEP_TIMEOUT });
  const callback = page.waitForURL('**/v1/google/callback**', { timeout: STEP_TIMEOUT });
  await page.evaluate(async (adminToken) => {
    const answer = await fetch('/v1/google/connect', {
      method: 'POST', headers: { Authorization: `Bearer ${adminToken}` },
    });
    if (!answer.ok) throw new Error(`connect answered ${answer.status}: ${await answer.text()}`);
    const { authorization_url: url } = await answer.json();
    window.location.href = url;
  }, token);
  await callback;
  await page.waitForLoadState('load', { timeout: STEP_TIMEOUT });
  const title = await page.textContent('h1');
  const text = await page.textContent('body');
  // The binding cookie never reaches a script, and after the callback it is gone.
  const cookies = await context.cookies(relay);
  console.log(JSON.stringify({
    ok: true, title, text, url: page.url(),
    cookie_left: cookies.some((c) => c.name === 'donna_google_consent'),
    script_saw_cookie: await page.evaluate(() => document.cookie.includes('donna_google_consent')),
  }));
} catch (e) {
  fail(e.message.split('\n')[0]);
} finally {
  await browser.close();
}
