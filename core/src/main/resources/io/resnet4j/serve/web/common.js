'use strict';
// Shared by both pages: API calls with the optional bearer token, and HTML escaping.
const Api = {
  tokenKey: 'resnet4j-token',

  token() { return sessionStorage.getItem(this.tokenKey) || ''; },

  setToken(t) { sessionStorage.setItem(this.tokenKey, t.trim()); },

  headers(extra) {
    const h = Object.assign({}, extra || {});
    if (this.token()) h['Authorization'] = 'Bearer ' + this.token();
    return h;
  },

  // Resolves to {status, body}; the body is parsed JSON, or {error} when the server sent none.
  async call(path, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = this.headers(opts.headers);
    let res;
    try {
      res = await fetch(path, opts);
    } catch (e) {
      return { status: 0, body: { error: 'the server cannot be reached' } };
    }
    let body;
    try { body = await res.json(); } catch (e) { body = { error: res.status + ' ' + res.statusText }; }
    if (res.status === 401) document.dispatchEvent(new CustomEvent('needs-token'));
    return { status: res.status, body: body };
  },
};

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

// Shows the token field once the server answers 401, and retries the page's loader after it is set.
function setUpTokenField(reload) {
  const box = document.getElementById('token-box');
  const input = document.getElementById('token');
  document.addEventListener('needs-token', () => box.classList.remove('hidden'));
  input.addEventListener('change', () => { Api.setToken(input.value); reload(); });
}
