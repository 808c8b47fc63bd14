// session.js: window.DonnaSession, which gets DONNA session tokens for the client.
//
// Full page (index.html, on the relay's own origin): POST /v1/session on this origin; the
// relay checks the browser's Origin header against the site's allowed origins.
// Embed (the same page served at /embed, in the widget's iframe): this page is
// on the relay's origin but the site's allowed origin is the customer's page, so only the
// widget on that page can get a token. It pushes the first one right after the iframe
// loads and answers a {type:'donna.token_request'} with a new one (reconnects after expiry).
//
// request(persona) resolves {token, expires_at, greeting, persona, site, realtime_url} or
// rejects with an Error whose .code is 'origin_not_allowed', 'unknown_site', 'network' or
// 'http_<status>' and whose .message is a sentence for the visitor.
(function () {
  'use strict';

  // How long an embed waits for the widget to answer a token request.
  const TOKEN_REQUEST_TIMEOUT_MS = 15000;
  // A pushed token this close to expiry is not used: a new one is asked for instead.
  const EXPIRY_MARGIN_MS = 10000;

  function sessionError(code, message) {
    const error = new Error(message);
    error.code = code;
    return error;
  }

  // The relay's WebSocket endpoint on this page's host; wss when the page is https.
  function realtimeUrl(answer) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const path = typeof answer.realtime_path === 'string' && answer.realtime_path.charAt(0) === '/'
      ? answer.realtime_path : '/v1/realtime';
    return scheme + '//' + location.host + path + '?donna_client=1&donna_output_audio=opus';
  }

  function toSession(answer) {
    return {
      token: answer.token,
      expires_at: answer.expires_at,
      greeting: answer.greeting,
      persona: answer.persona,
      site: answer.site,
      realtime_url: realtimeUrl(answer)
    };
  }

  // --- Embed mode: the token comes from the parent page by postMessage. ---------------------
  // The listener is installed as soon as this script runs, because the widget pushes the
  // first token on the iframe's load event, which may come before the client asks for it.
  // The relay serves this page at /embed only for the widget's iframe.
  const embedded = location.pathname === '/embed';
  let pushedToken = null;   // the latest donna.session nobody has asked for yet
  let waiters = [];         // {resolve, reject, timer} of requests waiting for the parent

  function settleWaiters(settle) {
    const pending = waiters;
    waiters = [];
    pending.forEach((waiter) => {
      clearTimeout(waiter.timer);
      settle(waiter);
    });
  }

  if (embedded) {
    window.addEventListener('message', (event) => {
      // Only the page that framed us speaks for the site (the relay's frame-ancestors header
      // limits who that can be); anything else, including other frames, is ignored.
      if (event.source !== window.parent || window.parent === window) return;
      const data = event.data;
      if (!data || typeof data !== 'object') return;
      if (data.type === 'donna.session' && typeof data.token === 'string') {
        if (waiters.length > 0) {
          const session = toSession(data);
          settleWaiters((waiter) => waiter.resolve(session));
        } else {
          pushedToken = data;
        }
      } else if (data.type === 'donna.session_error') {
        // The widget could not get a token (relay down, site refused): fail at once
        // instead of waiting for the timeout.
        const code = typeof data.code === 'string' ? data.code : 'network';
        const message = typeof data.message === 'string' ? data.message : 'DONNA could not get a session.';
        settleWaiters((waiter) => waiter.reject(sessionError(code, message)));
      }
    });
  }

  function requestFromParent(persona) {
    if (window.parent === window) {
      return Promise.reject(sessionError('network',
        'This page is opened by the DONNA widget on a website; it cannot start on its own.'));
    }
    const pushed = pushedToken;
    pushedToken = null;
    if (pushed && (typeof pushed.expires_at !== 'number' ||
                   pushed.expires_at * 1000 - EXPIRY_MARGIN_MS > Date.now())) {
      return Promise.resolve(toSession(pushed));
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, timer: 0 };
      waiter.timer = setTimeout(() => {
        waiters = waiters.filter((other) => other !== waiter);
        reject(sessionError('network', 'The website that shows DONNA did not answer. Reload the page and try again.'));
      }, TOKEN_REQUEST_TIMEOUT_MS);
      waiters.push(waiter);
      // No secret goes out: the parent asks the relay itself. '*' because this page does
      // not know the parent's origin; the message carries nothing private.
      window.parent.postMessage({ type: 'donna.token_request', persona: persona || null }, '*');
    });
  }

  // --- Full page: POST /v1/session on this origin. --------------------------------------
  async function requestFromRelay(persona) {
    const params = new URLSearchParams(location.search);
    const body = { site: params.get('site') || 'demo' };
    const chosen = persona || params.get('persona');
    if (chosen) body.persona = chosen;
    let response;
    try {
      response = await fetch(new URL('/v1/session', location.href).href, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store'
      });
    } catch (error) {
      throw sessionError('network', 'The DONNA server could not be reached. Check the connection and try again.');
    }
    let answer = null;
    try {
      answer = await response.json();
    } catch (error) {
      answer = null;
    }
    if (response.ok && answer && typeof answer.token === 'string') return toSession(answer);
    const problem = answer && answer.error ? answer.error : {};
    const code = problem.code === 'origin_not_allowed' || problem.code === 'unknown_site'
      ? problem.code : 'http_' + response.status;
    const message = typeof problem.message === 'string' && problem.message
      ? problem.message : 'The DONNA server refused the session (HTTP ' + response.status + ').';
    throw sessionError(code, message);
  }

  class DonnaSession {
    constructor() {
      this.mode = embedded ? 'embed' : 'page';
    }

    request(persona) {
      return embedded ? requestFromParent(persona) : requestFromRelay(persona);
    }
  }

  window.DonnaSession = DonnaSession;
})();
