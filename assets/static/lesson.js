// A lesson page's enhancements. Without JavaScript the page works as it
// is: a recording (when the lesson has one) plays in the audio player,
// and each quick question is a form that posts and shows the lesson again
// with its feedback. With JavaScript:
//
// - Listen: where the browser can speak (the Web Speech API), a Listen
//   button reads the lesson aloud with the browser's own voice, with
//   pause, resume, stop and speed. Nothing is sent anywhere. Where the
//   browser cannot speak there is no button.
// - Quick questions: an answer is sent in the background and its
//   feedback replaces the question, without reloading the page.
(function () {
  'use strict';

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    if (text) {
      e.textContent = text;
    }
    return e;
  }

  // ---- Listen ----------------------------------------------------------

  function listen(box) {
    var synth = window.speechSynthesis;
    var source = document.getElementById(box.getAttribute('data-listen'));
    if (!source || !synth || !window.SpeechSynthesisUtterance) {
      return;
    }
    var heading = document.querySelector('main h1');
    var rates = [['0.75', 'Slower'], ['1', 'Normal'], ['1.25', 'Faster'], ['1.5', 'Fastest']];

    var controls = el('div', { class: 'app-listen__controls' });
    var play = el('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary', 'data-listen-play': '' }, 'Listen');
    var pause = el('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary', hidden: '' }, 'Pause');
    var stop = el('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary', hidden: '' }, 'Stop');
    var group = el('div', { class: 'nhsuk-form-group' });
    var label = el('label', { class: 'nhsuk-label', for: 'listen-speed' }, 'Speed');
    var speed = el('select', { class: 'nhsuk-select', id: 'listen-speed' });
    rates.forEach(function (r) {
      var o = el('option', { value: r[0] }, r[1]);
      if (r[0] === '1') {
        o.selected = true;
      }
      speed.appendChild(o);
    });
    group.appendChild(label);
    group.appendChild(speed);
    var status = el('p', { class: 'nhsuk-u-visually-hidden', role: 'status' });
    [play, pause, stop, group].forEach(function (c) { controls.appendChild(c); });
    box.appendChild(controls);
    box.appendChild(status);

    // Long utterances stop part-way in some browsers, so the lesson is
    // read a block (heading, paragraph, list item) at a time.
    function blocks() {
      var out = [];
      if (heading) {
        out.push(heading.textContent);
      }
      source.querySelectorAll('h2, h3, h4, p, li, td, th').forEach(function (n) {
        if (n.querySelector('p, li') || n.closest('[data-listen-skip]')) {
          return; // its own blocks are read instead, or it is not lesson text (the Try this answer box)
        }
        var t = n.textContent.replace(/\s+/g, ' ').trim();
        if (t) {
          out.push(t);
        }
      });
      return out;
    }

    var queue = [];
    var at = 0;
    var current = null; // the utterance being read; others' events are stale
    var speaking = false;
    var paused = false;

    function show() {
      play.hidden = speaking;
      pause.hidden = !speaking;
      stop.hidden = !speaking;
      pause.textContent = paused ? 'Resume' : 'Pause';
    }

    function say() {
      if (at >= queue.length) {
        finish('Finished reading the lesson.');
        return;
      }
      var u = new window.SpeechSynthesisUtterance(queue[at]);
      u.lang = document.documentElement.lang || 'en-GB';
      u.rate = parseFloat(speed.value) || 1;
      u.onend = function () {
        if (!speaking || u !== current) {
          return;
        }
        at++;
        say();
      };
      u.onerror = function (e) {
        if (u === current && e.error !== 'interrupted' && e.error !== 'canceled') {
          finish('Your browser could not read the lesson aloud.');
        }
      };
      current = u;
      synth.speak(u);
    }

    function finish(message) {
      current = null;
      speaking = false;
      paused = false;
      synth.cancel();
      status.textContent = message;
      show();
    }

    play.addEventListener('click', function () {
      current = null;
      synth.cancel();
      queue = blocks();
      at = 0;
      speaking = true;
      paused = false;
      status.textContent = 'Reading the lesson aloud.';
      show();
      say();
      pause.focus();
    });
    pause.addEventListener('click', function () {
      if (paused) {
        synth.resume();
        paused = false;
        status.textContent = 'Reading again.';
      } else {
        synth.pause();
        paused = true;
        status.textContent = 'Paused.';
      }
      show();
    });
    stop.addEventListener('click', function () {
      finish('Stopped.');
      play.focus();
    });
    // A new speed starts with the block being read.
    speed.addEventListener('change', function () {
      if (speaking && !paused) {
        current = null;
        synth.cancel();
        say();
      }
    });
    window.addEventListener('pagehide', function () {
      synth.cancel();
    });
  }

  document.querySelectorAll('[data-listen]').forEach(listen);

  // ---- Quick questions -------------------------------------------------

  if (!window.fetch || !window.DOMParser || !window.URLSearchParams) {
    return;
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.matches || !form.matches('form[data-question]')) {
      return;
    }
    event.preventDefault();
    var id = form.getAttribute('data-question');
    var button = form.querySelector('button[type="submit"]');
    if (button) {
      button.disabled = true;
    }
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)).toString()
    }).then(function (resp) {
      if (!resp.ok && resp.status !== 422) {
        throw new Error('status ' + resp.status);
      }
      return resp.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, 'text/html');
      var fresh = page.getElementById('question-' + id);
      var old = document.getElementById('question-' + id);
      if (!fresh || !old) {
        throw new Error('no question in the answer');
      }
      old.replaceWith(document.importNode(fresh, true));
      var focus = document.getElementById('feedback-' + id) ||
        document.querySelector('#question-' + CSS.escape(id) + ' .nhsuk-error-message');
      if (focus) {
        if (!focus.hasAttribute('tabindex')) {
          focus.setAttribute('tabindex', '-1');
        }
        focus.focus();
      }
    }).catch(function () {
      form.submit(); // the page without JavaScript does the same
    });
  });
})();
