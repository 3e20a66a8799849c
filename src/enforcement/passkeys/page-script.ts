// The script of the passkey pages, served at /.tenet/passkeys/page.js (same origin, so the pages'
// CSP can say `script-src 'self'` and allow no inline script). It drives @simplewebauthn/browser
// (served beside it at /.tenet/passkeys/webauthn.js) and Tenet's JSON endpoints; everything it
// needs is in data-* attributes the server wrote (escaped) into the page. Plain ES2017, no build.
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  var status = document.getElementById('status');
  function show(text) { if (status) status.textContent = text; }
  function post(path, body) {
    return fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) throw new Error(json.error_description || json.error || ('HTTP ' + response.status));
          return json;
        });
      });
  }
  function failed(prefix) { return function (error) { show(prefix + (error && error.message ? error.message : String(error))); }; }

  var register = document.getElementById('register');
  if (register) register.addEventListener('submit', function (event) {
    event.preventDefault();
    var name = register.querySelector('input[name="name"]').value;
    show('Follow your browser\\u2019s prompt to create the passkey\\u2026');
    post('/.tenet/passkeys/registration/options', {})
      .then(function (options) { return lib.startRegistration({ optionsJSON: options }); })
      .then(function (response) { return post('/.tenet/passkeys/registration/verify', { name: name, response: response }); })
      .then(function () { location.reload(); })
      .catch(failed('The passkey was not registered: '));
  });

  Array.prototype.forEach.call(document.querySelectorAll('button[data-remove]'), function (button) {
    button.addEventListener('click', function () {
      post('/.tenet/passkeys/delete', { id: button.getAttribute('data-remove') })
        .then(function () { location.reload(); })
        .catch(failed('The passkey was not removed: '));
    });
  });

  var use = document.getElementById('use-passkey');
  if (use) use.addEventListener('click', function () {
    show('Follow your browser\\u2019s prompt to use your passkey\\u2026');
    post('/.tenet/passkeys/authentication/options', { rd: use.getAttribute('data-rd') })
      .then(function (options) { return lib.startAuthentication({ optionsJSON: options }); })
      .then(function (response) { return post('/.tenet/passkeys/authentication/verify', { response: response }); })
      .then(function (result) { location.assign(result.redirect); })
      .catch(failed('Your passkey was not accepted: '));
  });
})();
`;
