// Onramp's only page script. Load it as the first element inside <body>,
// as a classic (not module) script so it runs before the first paint:
//
//   <script src="/static/app.js" data-nhsuk-frontend="/static/nhsuk/nhsuk.min.js"></script>
//
// The CSP forbids the inline snippet NHS.UK frontend's own template uses, so
// this file does its job: mark the body as JavaScript-enabled and, in
// browsers with ES modules, as supported by NHS.UK frontend (its CSS and
// initAll() look for "nhsuk-frontend-supported" on <body>), then import the
// frontend's ES module and initialise every component on the page.
//
// data-nhsuk-frontend carries the (fingerprinted) URL of the module; without
// it the module is looked for at nhsuk/nhsuk.min.js beside this file.
(function () {
  'use strict';

  var script = document.currentScript;
  var body = document.body;
  if (!script || !body) {
    return;
  }

  body.classList.add('js-enabled');
  document.addEventListener('DOMContentLoaded', enableCopy);
  if (!('noModule' in HTMLScriptElement.prototype)) {
    return;
  }
  body.classList.add('nhsuk-frontend-supported');

  var moduleURL = new URL(
    script.getAttribute('data-nhsuk-frontend') || 'nhsuk/nhsuk.min.js',
    script.src
  ).href;

  function start() {
    import(moduleURL).then(
      function (frontend) {
        frontend.initAll();
      },
      function (err) {
        console.error('NHS.UK frontend failed to load', err);
      }
    );
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }

  // Copy buttons: <button hidden data-copy="TEXT"> stays hidden without
  // a clipboard, so the page works without them; with one it shows and
  // copies TEXT, saying so in the role="status" element after it.
  function enableCopy() {
    if (!navigator.clipboard) {
      return;
    }
    document.querySelectorAll('button[data-copy]').forEach(function (button) {
      var status = button.nextElementSibling;
      button.hidden = false;
      button.addEventListener('click', function () {
        navigator.clipboard.writeText(button.getAttribute('data-copy')).then(
          function () {
            if (status) {
              status.textContent = ' Copied';
            }
          },
          function () {
            if (status) {
              status.textContent = ' Could not copy: select the link and copy it yourself';
            }
          }
        );
      });
    });
  }
})();
