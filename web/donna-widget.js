// donna-widget.js: puts DONNA on a customer's website.
//   <script src="https://relay.example/donna-widget.js" data-site="acme" async></script>
// Optional: data-persona, data-position="bottom-right|bottom-left", data-color,
// data-greeting (a small bubble next to the button), data-label (the button's name).
//
// Until the visitor clicks, it only adds one launcher button. A click asks the relay for a
// session token (the relay checks this page's Origin against the site's allowed origins),
// then opens a panel with the client in an iframe on the relay's origin and hands the
// token over by postMessage, to the relay's origin only. The iframe asks for a new token
// with {type:'donna.token_request'} when it reconnects after the first one expired.
// Everything lives in an open shadow root, so the page's CSS cannot break it (and tests
// can reach it). No dependencies; no innerHTML, so pages with Trusted Types work too.
(function () {
  'use strict';

  // currentScript is only set while this file first runs, so everything is read now.
  const script = document.currentScript;
  if (!script || !script.src) return;
  const relay = new URL(script.src).origin;
  const config = script.dataset;
  const site = config.site;
  const persona = config.persona || null;
  const label = config.label || 'Chat with DONNA';
  if (!site) {
    console.error('donna-widget.js: add data-site="<your site id>" to the script tag.');
    return;
  }

  const CSS =
    ':host{all:initial}' +
    '.l,.g,.p{position:fixed;z-index:2147483647;right:20px;font:14px/1.4 system-ui,sans-serif}' +
    '.l{bottom:20px;width:56px;height:56px;padding:0;border:0;border-radius:50%;cursor:pointer;' +
      'background:var(--donna-color,#1f6feb);color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.3);' +
      'display:flex;align-items:center;justify-content:center}' +
    '.l:focus-visible,.x:focus-visible{outline:3px solid #fff;outline-offset:2px}' +
    '.l svg{width:28px;height:28px;fill:currentColor}' +
    '.g{bottom:32px;right:88px;max-width:240px;padding:8px 12px;border-radius:10px;cursor:pointer;' +
      'background:#fff;color:#1a1a1a;box-shadow:0 2px 10px rgba(0,0,0,.2)}' +
    '.p{bottom:88px;width:380px;height:600px;max-width:calc(100vw - 40px);max-height:calc(100vh - 108px);' +
      'display:flex;flex-direction:column;overflow:hidden;border-radius:12px;background:#0f1114;color:#e8e8e8;' +
      'box-shadow:0 8px 30px rgba(0,0,0,.35)}' +
    '.h{display:flex;align-items:center;justify-content:space-between;padding:4px 4px 4px 14px;' +
      'background:var(--donna-color,#1f6feb);color:#fff}' +
    '.x{padding:2px 10px;border:0;background:none;color:inherit;font:24px/1 system-ui,sans-serif;cursor:pointer}' +
    '.m{margin:0;padding:16px}' +
    'iframe{flex:1;width:100%;border:0;background:#0f1114}' +
    '.left .l,.left .p{left:20px;right:auto}.left .g{left:88px;right:auto}' +
    '[hidden]{display:none!important}' +
    // Small screens: the panel takes the whole viewport (it has its own close button).
    '@media (max-width:480px),(max-height:560px){.w .p{inset:0;width:auto;height:auto;' +
      'max-width:none;max-height:none;border-radius:0}}';

  let launcher, bubble, panel, message;
  let frame = null;
  let generation = 0; // bumped on every open and close, so a late answer cannot reopen
  let listening = false;

  function element(tag, className, parent) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (parent) parent.appendChild(node);
    return node;
  }

  function mount() {
    const host = document.createElement('donna-widget');
    // CSSOM, not a style attribute, so a page CSP without 'unsafe-inline' allows it; an
    // invalid colour is simply ignored and the default applies.
    if (config.color) host.style.setProperty('--donna-color', config.color);
    const root = host.attachShadow({ mode: 'open' });
    // A constructed sheet needs no 'unsafe-inline' in the page's style-src; <style> is
    // the fallback for browsers without constructable stylesheets.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (error) {
      element('style', '', root).textContent = CSS;
    }
    const wrapper = element('div', config.position === 'bottom-left' ? 'w left' : 'w', root);

    if (config.greeting) {
      bubble = element('div', 'g', wrapper);
      bubble.textContent = config.greeting;
      bubble.addEventListener('click', toggle);
    }

    launcher = element('button', 'l', wrapper);
    launcher.type = 'button';
    launcher.title = label;
    launcher.setAttribute('aria-label', label);
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('data-donna-launcher', '');
    const svgNs = 'http://www.w3.org/2000/svg';
    const icon = document.createElementNS(svgNs, 'svg');
    icon.setAttribute('viewBox', '0 0 24 24');
    icon.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(svgNs, 'path');
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
    icon.appendChild(path);
    launcher.appendChild(icon);
    launcher.addEventListener('click', toggle);

    panel = element('div', 'p', wrapper);
    panel.hidden = true;
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', label);
    panel.setAttribute('data-donna-panel', '');
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') close();
    });
    const header = element('div', 'h', panel);
    element('span', '', header).textContent = label;
    const closeButton = element('button', 'x', header);
    closeButton.type = 'button';
    closeButton.textContent = '\u00d7';
    closeButton.setAttribute('aria-label', 'Close DONNA');
    closeButton.addEventListener('click', close);
    message = element('p', 'm', panel);
    message.setAttribute('role', 'status');
    message.setAttribute('data-donna-message', '');
    message.hidden = true;

    document.body.appendChild(host);
  }

  function showMessage(text) {
    message.textContent = text || '';
    message.hidden = !text;
  }

  function failure(code, text) {
    const error = new Error(text);
    error.code = code;
    return error;
  }

  // POST /v1/session on the relay. Without a Content-Type header the body goes as
  // text/plain, a "simple" CORS request with no preflight round trip; the relay reads the
  // body as JSON whatever its type.
  async function requestToken(wanted) {
    const request = { site: site };
    if (wanted) request.persona = wanted;
    let response;
    try {
      response = await fetch(relay + '/v1/session', {
        method: 'POST', mode: 'cors', credentials: 'omit', cache: 'no-store', body: JSON.stringify(request)
      });
    } catch (error) {
      throw await explainNetworkFailure();
    }
    let answer = null;
    try {
      answer = await response.json();
    } catch (error) {
      answer = null;
    }
    if (response.ok && answer && typeof answer.token === 'string') return answer;
    const problem = (answer && answer.error) || {};
    const code = problem.code === 'unknown_site' || problem.code === 'origin_not_allowed'
      ? problem.code : 'http_' + response.status;
    throw failure(code, problem.message || 'DONNA could not start (HTTP ' + response.status + ').');
  }

  // The relay refuses a site's wrong origin without CORS headers, so the page sees only a
  // network error. An opaque request to /healthz tells "refused" from "unreachable".
  async function explainNetworkFailure() {
    try {
      await fetch(relay + '/healthz', { mode: 'no-cors', credentials: 'omit', cache: 'no-store' });
      return failure('origin_not_allowed', 'DONNA is not enabled for this website (' + location.origin + ').');
    } catch (error) {
      return failure('network', 'DONNA could not be reached. Please try again later.');
    }
  }

  // Sends a token to the client in the iframe, to the relay's origin only: if the frame
  // has navigated anywhere else, the browser drops the message.
  function deliver(target, payload) {
    if (frame === target && target.contentWindow) target.contentWindow.postMessage(payload, relay);
  }

  function sessionMessage(answer) {
    return Object.assign({}, answer, { type: 'donna.session' });
  }

  function onMessage(event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== relay) return;
    const data = event.data;
    if (!data || data.type !== 'donna.token_request') return;
    const target = frame;
    const wanted = typeof data.persona === 'string' && data.persona ? data.persona : persona;
    requestToken(wanted).then(
      (answer) => deliver(target, sessionMessage(answer)),
      (error) => deliver(target, { type: 'donna.session_error', code: error.code, message: error.message }));
  }

  function openFrame(answer) {
    frame = document.createElement('iframe');
    let query = '?site=' + encodeURIComponent(site);
    if (persona) query += '&persona=' + encodeURIComponent(persona);
    // allow before src: the permissions are fixed when the frame starts loading.
    frame.setAttribute('allow', 'microphone; autoplay');
    frame.title = 'DONNA';
    frame.src = relay + '/embed' + query;
    const target = frame;
    let first = answer;
    // The first token goes in on the first load; after any later load the client asks
    // for a fresh one itself.
    frame.addEventListener('load', () => {
      if (first) deliver(target, sessionMessage(first));
      first = null;
    });
    showMessage(null);
    panel.appendChild(frame);
  }

  function open() {
    const run = ++generation;
    panel.hidden = false;
    if (bubble) bubble.hidden = true;
    launcher.setAttribute('aria-expanded', 'true');
    showMessage('Connecting\u2026');
    if (!listening) {
      window.addEventListener('message', onMessage);
      listening = true;
    }
    requestToken(persona).then(
      (answer) => { if (run === generation) openFrame(answer); },
      (error) => { if (run === generation) showMessage(error.message); });
  }

  // Removing the iframe ends the client and its session; the next click starts over.
  function close() {
    generation++;
    if (frame) frame.remove();
    frame = null;
    showMessage(null);
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  function toggle() {
    if (panel.hidden) open();
    else close();
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
