// The join page: the HTML, CSS and JavaScript a person opens to join with a room code,
// the sentences every refusal reads as, and the meeting URL a token goes to. The files
// live in page/; the HTML is filled in here per request, every value escaped.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PAGE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'page');
const HTML = readFileSync(path.join(PAGE, 'join.html'), 'utf8');

/** The static files of the page, by the name they are served under. */
export const ASSETS = {
  'join.css': { type: 'text/css; charset=utf-8', body: readFileSync(path.join(PAGE, 'join.css')) },
  'join.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(PAGE, 'join.js')) },
};

/** The routes of a Room Link (roomcode_link), which the page answers under too. */
const ROUTES = ['meeting', 'preview', 'streaming/meeting', 'streaming/preview'];
const CODE_PATH = new RegExp(`^/(?:(?:${ROUTES.join('|')})/)?([a-z]{3}-[a-z]{4}-[a-z]{3})/?$`, 'i');

/**
 * What a GET path is to the page: {page: true, code, depth} for the page (at `/` or a
 * Room Link path, with its code), {asset} for a file of it, or null.
 */
export function pageRoute(pathname) {
  const depth = pathname.split('/').length - 2; // folders above the page: "/" is 0
  if (pathname === '/') return { page: true, code: '', depth: 0 };
  const m = CODE_PATH.exec(pathname);
  if (m) return { page: true, code: m[1].toLowerCase(), depth: depth - (pathname.endsWith('/') ? 1 : 0) };
  const name = pathname.split('/').pop();
  if (Object.hasOwn(ASSETS, name)) return { asset: ASSETS[name] };
  return null;
}

/** A display name: at most this many characters, no control characters. */
export const NAME_LIMIT = 64;

/** A code that no line break cuts in two: its dashes as non-breaking hyphens (U+2011). */
const unbroken = (code) => code.replaceAll('-', '\u2011');

/** The sentence a person reads for a refusal, by its reason; `code` is what was read. */
export function sentenceFor(reason, code, retryAfter) {
  const c = code ? unbroken(code) : 'this code';
  switch (reason) {
    case 'unknown':
      return `There is no meeting with the code ${c}. Check the code and try again.`;
    case 'malformed':
      return `That is not a room code. A room code has 10 letters, like ${unbroken('abc-defg-hij')}.`;
    case 'empty':
      return 'Type or paste your room code first.';
    case 'disabled':
      return `The code ${c} is switched off. Ask the person who sent it for a new one.`;
    case 'room_disabled':
      return `The meeting of the code ${c} is closed.`;
    case 'bound':
    case 'other_user':
      return `The code ${c} belongs to one person and cannot be used on this page.`;
    case 'stored':
      return `The code ${c} cannot be used. Ask the person who sent it for a new one.`;
    case 'name':
      return `Your name is too long or holds characters a name cannot: use at most ${NAME_LIMIT} letters.`;
    case 'limited':
      return waitSentence(retryAfter);
    default:
      return 'Joining does not work right now. Try again in a minute.';
  }
}

/** The 429 sentence; page/join.js counts it down with the same words. */
export function waitSentence(seconds) {
  return `Too many wrong codes from your network. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
}

const PLACEHOLDERS = ['token', 'room_id', 'role', 'code', 'name', 'url'];

/**
 * Checks a meeting URL template (ROOMCODE_JOIN_URL and the like): an absolute http(s) URL
 * with {token} in it, placeholders only from PLACEHOLDERS and none before the path.
 * Returns the template's origin (for the page's form-action), or throws the reason.
 */
export function checkJoinTemplate(name, template) {
  const bad = (why) => new Error(`${name} ${why}: '${template}'`);
  const m = /^(https?:\/\/[^/?#{}]+)([/?#].*)?$/i.exec(template);
  if (!m) throw bad('must be an http or https URL with no placeholder in its host');
  for (const [, key] of template.matchAll(/\{([^{}]*)\}/g)) {
    if (!PLACEHOLDERS.includes(key)) throw bad(`has an unknown placeholder {${key}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
  }
  if (!template.includes('{token}') && !template.includes('{url}')) throw bad('must hold {token}');
  let origin;
  try {
    origin = new URL(m[1]).origin;
  } catch {
    throw bad('must be an http or https URL with no placeholder in its host');
  }
  return origin;
}

/** The template with its placeholders filled, each value percent-encoded. */
export function fillJoinTemplate(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) =>
    values[key] === undefined || values[key] === null ? '' : encodeURIComponent(String(values[key])),
  );
}

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/**
 * The page's HTML: `typed` and `name` as the fields hold them, `read` the code read from
 * typed (or ''), `error` a refusal's sentence, `retryAfter` seconds for a 429, `depth`
 * the folders between the page and its files.
 */
export function renderPage({ typed = '', name = '', read = '', error = '', retryAfter = 0, depth = 0, title }) {
  const values = {
    prefix: depth > 0 ? '../'.repeat(depth) : './',
    title: title || 'Join a meeting',
    typed,
    name,
    name_limit: NAME_LIMIT,
    read: read ? `Room code: ${read}` : '',
    error,
    error_hidden: error ? '' : ' hidden',
    retry: retryAfter > 0 ? String(retryAfter) : '',
    invalid: error ? 'true' : 'false',
    autofocus: error ? ' autofocus' : '',
  };
  return HTML.replace(/\{\{(\w+)\}\}/g, (whole, key) => escapeHtml(values[key] ?? ''));
}

/**
 * The headers of every page answer: no inline script, no framing, no referrer (the
 * meeting URL carries a token), no caching. `formTarget` is the meeting's origin, which a
 * form's redirect goes to.
 */
export function pageHeaders(formTarget) {
  const formAction = formTarget ? `'self' ${formTarget}` : "'self'";
  return {
    'Content-Security-Policy':
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; ` +
      `form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
}
