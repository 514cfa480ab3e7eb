// The join page without a reload: shows the code the endpoint reads in what was typed,
// joins with fetch, and counts a 429's Retry-After down. Without JavaScript the same form
// posts and the endpoint answers with a redirect or the page with its error.
'use strict';

(function () {
  const form = document.getElementById('join');
  const code = document.getElementById('code');
  const name = document.getElementById('name');
  const read = document.getElementById('read');
  const error = document.getElementById('error');
  const submit = document.getElementById('submit');
  // the page's own URL, without a fragment: every POST goes back to it
  const target = location.href.split('#')[0];
  let countdown = null;
  let readSeq = 0;
  let readTimer = null;

  // reading only (Roomcode-Read) asks what the text reads as, and tries no code
  function post(fields, readOnly) {
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
    if (readOnly) headers['Roomcode-Read'] = '1';
    return fetch(target, {
      method: 'POST',
      headers: headers,
      body: new URLSearchParams(fields).toString(),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
  }

  function showError(text) {
    // emptied first, so that the same sentence twice is announced twice
    error.textContent = '';
    error.hidden = false;
    error.textContent = text;
    code.setAttribute('aria-invalid', 'true');
  }

  function waitSentence(seconds) {
    return 'Too many wrong codes from your network. Try again in ' + seconds + ' second' + (seconds === 1 ? '' : 's') + '.';
  }

  function startCountdown(seconds) {
    clearInterval(countdown);
    let left = seconds;
    submit.disabled = true;
    showError(waitSentence(left));
    countdown = setInterval(function () {
      left -= 1;
      if (left > 0) {
        error.textContent = waitSentence(left);
        return;
      }
      clearInterval(countdown);
      countdown = null;
      submit.disabled = false;
      error.textContent = 'You can try again now.';
    }, 1000);
  }

  function showRead(text, found) {
    if (found) read.textContent = 'Room code: ' + found;
    else read.textContent = text.trim() ? 'No room code found in this yet.' : '';
  }

  function readNow() {
    const text = code.value;
    const seq = ++readSeq;
    if (!text.trim()) return showRead(text, null);
    post({ code: text }, true)
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (answer) {
        if (seq === readSeq && answer) showRead(text, answer.code);
      })
      .catch(function () {});
  }

  code.addEventListener('input', function () {
    code.setAttribute('aria-invalid', 'false');
    clearTimeout(readTimer);
    readTimer = setTimeout(readNow, 150);
  });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (countdown || submit.disabled) return;
    clearTimeout(readTimer);
    submit.disabled = true;
    submit.textContent = 'Joining…';
    let status = 0;
    let retryAfter = 0;
    post({ code: code.value, name: name.value })
      .then(function (r) {
        status = r.status;
        retryAfter = Number(r.headers.get('Retry-After')) || 0;
        return r.json();
      })
      .then(function (answer) {
        if (status === 200 && answer.url) {
          if (answer.code) showRead(code.value, answer.code);
          location.assign(answer.url);
          return;
        }
        submit.disabled = false;
        submit.textContent = 'Join';
        if (answer.read !== undefined) showRead(code.value, answer.read);
        if (status === 429 && retryAfter > 0) startCountdown(retryAfter);
        else showError(answer.message);
        code.focus();
      })
      .catch(function () {
        submit.disabled = false;
        submit.textContent = 'Join';
        showError('Joining does not work right now. Check your connection and try again.');
        code.focus();
      });
  });

  const retry = Number(error.getAttribute('data-retry-after'));
  if (retry > 0) startCountdown(retry);
  if (code.value && !read.textContent) readNow();
})();
