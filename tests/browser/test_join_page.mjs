// The join page in a real browser (Debian's Chromium through playwright-core): typing,
// pasting a link and a chat message, the keyboard alone, a 360-pixel phone, each refusal's
// sentence, the 429 countdown, JavaScript off, the meeting URL's token checked as each
// platform would (100ms: HS256 with the app secret; LiveKit: livekit-server-sdk's
// TokenVerifier; Jitsi: prosody's checks), and no request leaving 127.0.0.1. Screenshots of the
// page, an error and the phone view go to build/join-page/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as jose from 'jose';
import { TokenVerifier } from 'livekit-server-sdk';
import {
  ACCESS_KEY,
  APP_SECRET,
  guardedContext,
  launchChromium,
  makeDatabase,
  removeDir,
  SHOTS,
  startEndpoint,
  startMeeting,
  tempDir,
} from './support.mjs';

const ROWS = [
  ['toz-mfgy-vep', 'standup-42', 'guest'],
  ['dis-able-dab', 'standup-42', 'host', 0],
  ['bou-ndto-ann', 'standup-42', 'host', 1, 'ann'],
];

let dir, meeting, endpoint, browser;
const seen = [];
const blocked = [];
const started = [];
const tokens = [];

before(async () => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
  makeDatabase(path.join(dir, 'app.db'), ROWS);
  meeting = await startMeeting();
  endpoint = await start();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const e of started) {
    await e.stop();
    const out = e.output();
    assert.ok(!out.includes(APP_SECRET), 'the endpoint printed the secret');
    for (const t of tokens) assert.ok(!out.includes(t.split('.')[2]), 'the endpoint printed a token');
  }
  meeting?.close();
  if (dir) removeDir(dir);
});

function start(env = {}) {
  return startEndpoint({
    ROOMCODE_DB: path.join(dir, 'app.db'),
    ROOMCODE_ACCESS_KEY: ACCESS_KEY,
    ROOMCODE_APP_SECRET: APP_SECRET,
    ROOMCODE_MAX_FAILURES: '1000',
    ROOMCODE_JOIN_URL: `${meeting.url}/meet/{room_id}?token={token}&role={role}&code={code}&name={name}`,
    ...env,
  }).then((e) => {
    started.push(e);
    return e;
  });
}

async function newPage(options = {}) {
  const context = await guardedContext(browser, options, seen, blocked);
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  return page;
}

/** The token of the meeting URL the page went to, checked as 100ms checks it. */
async function landedToken(page, want) {
  await page.waitForURL(`${meeting.url}/meet/**`);
  const url = new URL(page.url());
  const token = url.searchParams.get('token');
  tokens.push(token);
  const { payload } = await jose.jwtVerify(token, new TextEncoder().encode(APP_SECRET), { algorithms: ['HS256'] });
  assert.equal(payload.access_key, ACCESS_KEY);
  assert.equal(payload.room_id, 'standup-42');
  assert.equal(payload.role, want.role ?? 'guest');
  assert.equal(payload.type, 'app');
  assert.equal(url.pathname, '/meet/standup-42');
  assert.equal(url.searchParams.get('role'), want.role ?? 'guest');
  assert.equal(url.searchParams.get('code'), want.code ?? 'toz-mfgy-vep');
  assert.equal(url.searchParams.get('name'), want.name ?? '');
  return payload;
}

/** A sentence as the page writes it: codes with non-breaking hyphens, never cut by a line break. */
const nb = (s) => s.replace(/\b([a-z]{3})-([a-z]{4})-([a-z]{3})\b/g, '$1\u2011$2\u2011$3');
const alertText = (page) => page.locator('[role="alert"]').innerText();
const readText = (page) => page.locator('#read').innerText();

describe('the page', () => {
  test('HTML, CSS and JS weigh under 30 KB, with a CSP that allows no inline script', async () => {
    let total = 0;
    const html = await fetch(`${endpoint.url}/`);
    const text = await html.text();
    total += Buffer.byteLength(text);
    assert.equal(html.status, 200);
    const csp = html.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(html.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(html.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(text, /<script(?![^>]*\ssrc=)/, 'an inline script');
    assert.doesNotMatch(text, /\son\w+=|\sstyle=/, 'an inline handler or style');
    for (const file of ['join.css', 'join.js']) {
      const r = await fetch(`${endpoint.url}/${file}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      total += (await r.arrayBuffer()).byteLength;
    }
    assert.ok(total <= 30 * 1024, `${total} bytes`);
  });

  test('typing a code in any case shows the code read, and Join lands in the meeting with a valid token', async () => {
    const page = await newPage({ viewport: { width: 1024, height: 700 } });
    await page.goto(`${endpoint.url}/`);
    assert.equal(await page.locator('label[for="code"]').innerText(), 'Room code');
    await page.locator('#code').pressSequentially('TOZ MFGY VEP');
    await page.waitForFunction(() => document.getElementById('read').textContent === 'Room code: toz-mfgy-vep');
    await page.screenshot({ path: path.join(SHOTS, 'page.png') });
    await page.locator('#name').fill('Zoë');
    await page.getByRole('button', { name: 'Join' }).click();
    await landedToken(page, { name: 'Zoë' });
    await page.context().close();
  });

  test('a pasted Room Link and a pasted chat message with en dashes read as their code', async () => {
    for (const pasted of [
      'https://acme.app.100ms.live/meeting/toz-mfgy-vep',
      'Use code toz–mfgy–vep to join.',
      '“TOZ–MFGY–VEP”,',
    ]) {
      const page = await newPage();
      await page.goto(`${endpoint.url}/`);
      await page.locator('#code').focus();
      await page.keyboard.insertText(pasted); // what a paste does to the field
      await page.waitForFunction(() => document.getElementById('read').textContent === 'Room code: toz-mfgy-vep');
      await page.getByRole('button', { name: 'Join' }).click();
      await landedToken(page, {});
      await page.context().close();
    }
  });

  test('text with no code or two codes says so before joining', async () => {
    const page = await newPage();
    await page.goto(`${endpoint.url}/`);
    await page.locator('#code').fill('Use toz-mfgy-vep or xvm-wxwo-gbl');
    await page.waitForFunction(() => document.getElementById('read').textContent === 'No room code found in this yet.');
    await page.context().close();
  });

  test('a Room Link path of the endpoint opens the page with the code filled in', async () => {
    for (const p of ['/toz-mfgy-vep', '/meeting/toz-mfgy-vep', '/streaming/preview/TOZ-MFGY-VEP/']) {
      const page = await newPage();
      await page.goto(`${endpoint.url}${p}`);
      assert.equal(await page.locator('#code').inputValue(), 'toz-mfgy-vep', p);
      assert.equal(await readText(page), 'Room code: toz-mfgy-vep', p);
      // its CSS and script loaded from the right folder
      assert.equal(await page.locator('button').evaluate((b) => getComputedStyle(b).display), 'block', p);
      await page.keyboard.press('Tab'); // focus goes to the field first
      await page.keyboard.press('Enter');
      await landedToken(page, {});
      await page.context().close();
    }
  });

  test('with the keyboard alone: Tab to the field, type, Tab to the name, Tab to Join, Enter', async () => {
    const page = await newPage();
    await page.goto(`${endpoint.url}/`);
    const active = () => page.evaluate(() => document.activeElement.id);
    await page.keyboard.press('Tab');
    assert.equal(await active(), 'code');
    await page.keyboard.type('toz mfgy vep');
    await page.keyboard.press('Tab');
    assert.equal(await active(), 'name');
    await page.keyboard.type('Ann');
    await page.keyboard.press('Tab');
    assert.equal(await active(), 'submit');
    await page.keyboard.press('Enter');
    await landedToken(page, { name: 'Ann' });
    await page.context().close();
  });
});

describe('refusals', () => {
  const cases = [
    ['zzz-zzzz-zzz', 'There is no meeting with the code zzz-zzzz-zzz. Check the code and try again.'],
    ['hello there', 'That is not a room code. A room code has 10 letters, like abc-defg-hij.'],
    ['DIS ABLE DAB', 'The code dis-able-dab is switched off. Ask the person who sent it for a new one.'],
    ['bou-ndto-ann', 'The code bou-ndto-ann belongs to one person and cannot be used on this page.'],
    ['   ', 'Type or paste your room code first.'],
  ].map(([typed, sentence]) => [typed, nb(sentence)]);

  test('each refusal is a sentence in role="alert"; the field keeps its text and has the focus', async () => {
    const page = await newPage();
    await page.goto(`${endpoint.url}/`);
    for (const [typed, sentence] of cases) {
      await page.locator('#code').fill(typed);
      await page.getByRole('button', { name: 'Join' }).click();
      await page.waitForFunction((s) => document.querySelector('[role="alert"]').textContent === s, sentence);
      assert.equal(await page.locator('#code').inputValue(), typed);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'code');
      assert.equal(await page.locator('#code').getAttribute('aria-invalid'), 'true');
      if (typed === 'zzz-zzzz-zzz') await page.screenshot({ path: path.join(SHOTS, 'error.png') });
    }
    assert.equal(new URL(page.url()).pathname, '/', 'a refusal left the page');
    await page.context().close();
  });

  test('too many wrong codes: the alert counts Retry-After down, Join waits, then works', async () => {
    const limited = await start({ ROOMCODE_MAX_FAILURES: '1', ROOMCODE_FAILURE_WINDOW: '3' });
    const page = await newPage();
    await page.goto(`${limited.url}/`);
    // reading what is typed tries no code: a limit of one is still whole after it
    await page.locator('#code').pressSequentially('zzz zzzz zzz');
    await page.waitForFunction(() => document.getElementById('read').textContent === 'Room code: zzz-zzzz-zzz');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForFunction(() => /^There is no meeting/.test(document.querySelector('[role="alert"]').textContent));
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForFunction(() => /^Too many wrong codes/.test(document.querySelector('[role="alert"]').textContent));
    const first = await alertText(page);
    assert.match(first, /^Too many wrong codes from your network\. Try again in [1-3] seconds?\.$/);
    assert.equal(await page.getByRole('button', { name: 'Join' }).isDisabled(), true);
    assert.equal(await page.locator('#code').inputValue(), 'zzz zzzz zzz');
    await page.waitForFunction(
      () => document.querySelector('[role="alert"]').textContent === 'You can try again now.',
      null,
      { timeout: 6000 },
    );
    assert.equal(await page.getByRole('button', { name: 'Join' }).isDisabled(), false);
    await page.locator('#code').fill('toz-mfgy-vep');
    await page.getByRole('button', { name: 'Join' }).click();
    await landedToken(page, {});
    await page.context().close();
  });
});

describe('without JavaScript, and on a phone', () => {
  test('JavaScript off: the form posts and is answered by a redirect to the meeting', async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await page.goto(`${endpoint.url}/`);
    await page.locator('#code').fill('Use code toz–mfgy–vep to join.');
    await page.locator('#name').fill('Ann');
    await page.getByRole('button', { name: 'Join' }).click();
    await landedToken(page, { name: 'Ann' });
    await page.context().close();
  });

  test('JavaScript off: a refusal comes back as the page with the sentence and the field as typed', async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await page.goto(`${endpoint.url}/meeting/toz-mfgy-vep`);
    await page.locator('#code').fill('dis–able–dab!');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForLoadState();
    assert.equal(await alertText(page), nb('The code dis-able-dab is switched off. Ask the person who sent it for a new one.'));
    assert.equal(await page.locator('#code').inputValue(), 'dis–able–dab!');
    assert.equal(await readText(page), 'Room code: dis-able-dab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code');
    await page.context().close();
  });

  test('a 360-pixel phone: no horizontal scrolling, with a long link pasted and an error shown', async () => {
    const page = await newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(`${endpoint.url}/`);
    const noScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.equal(await noScroll(), true);
    await page.locator('#code').fill(`https://meet.example.com/${'very-long-folder/'.repeat(8)}zzz-zzzz-zzz?from=chat`);
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForFunction(() => /^There is no meeting/.test(document.querySelector('[role="alert"]').textContent));
    assert.equal(await noScroll(), true);
    const box = await page.locator('button').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
    await page.screenshot({ path: path.join(SHOTS, 'phone.png'), fullPage: true });
    await page.context().close();
  });
});

describe('LiveKit and Jitsi Meet', () => {
  test('LiveKit: the page lands with the server URL and a token TokenVerifier accepts', async () => {
    const key = 'APIbrowserTest';
    const lk = await start({
      ROOMCODE_PLATFORM: 'livekit',
      ROOMCODE_ACCESS_KEY: key,
      ROOMCODE_LIVEKIT_URL: 'wss://livekit.example.com',
      ROOMCODE_JOIN_URL: `${meeting.url}/meet/{room_id}?url={url}&token={token}&role={role}&code={code}&name={name}`,
    });
    const page = await newPage();
    await page.goto(`${lk.url}/preview/toz-mfgy-vep`);
    await page.locator('#name').fill('Ann');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL(`${meeting.url}/meet/**`);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('url'), 'wss://livekit.example.com');
    assert.equal(url.searchParams.get('name'), 'Ann');
    const claims = await new TokenVerifier(key, APP_SECRET).verify(url.searchParams.get('token'));
    assert.equal(claims.video.room, 'standup-42');
    assert.equal(claims.video.roomJoin, true);
    await page.context().close();
  });

  test('Jitsi Meet: the page lands with a token that passes prosody\'s checks', async () => {
    const ji = await start({
      ROOMCODE_PLATFORM: 'jitsi',
      ROOMCODE_APP_ID: 'browser-app',
      ROOMCODE_JITSI_DOMAIN: 'meet.example.com',
      ROOMCODE_JOIN_URL: `${meeting.url}/jitsi/{room_id}?jwt={token}`,
    });
    const page = await newPage();
    await page.goto(`${ji.url}/`);
    await page.locator('#code').fill('Use code toz–mfgy–vep to join.');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${meeting.url}/jitsi/**`);
    const url = new URL(page.url());
    const { payload } = await jose.jwtVerify(url.searchParams.get('jwt'), new TextEncoder().encode(APP_SECRET), {
      algorithms: ['HS256'],
      issuer: 'browser-app',
      audience: 'browser-app',
      subject: 'meet.example.com',
      requiredClaims: ['nbf', 'exp', 'room'],
    });
    assert.equal(payload.room, decodeURIComponent(url.pathname.slice('/jitsi/'.length)));
    await page.context().close();
  });
});

describe('trust', () => {
  test('every request the browser made went to 127.0.0.1', () => {
    assert.ok(seen.length > 20, `${seen.length} requests seen`);
    assert.deepEqual(blocked, []);
    for (const url of seen) assert.equal(new URL(url).hostname, '127.0.0.1', url);
  });
});
