// Live messages: enhances a thread page (#messages) so new messages and
// changes (a held message released, blocked) appear without reloading.
// Without JavaScript, or without EventSource, the page still works: the
// form posts and the page reloads.
(function () {
  'use strict';

  var list = document.getElementById('messages');
  if (!list || !window.EventSource || !window.fetch) {
    return;
  }
  var api = list.getAttribute('data-api');
  var events = list.getAttribute('data-events');
  var fetching = false;
  var again = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text) {
      e.textContent = text;
    }
    return e;
  }

  function render(m) {
    var li = el('li', 'app-message app-message--' + m.status + (m.mine ? ' app-message--mine' : ''));
    li.id = 'message-' + m.id;
    li.setAttribute('data-id', m.id);
    var meta = el('p', 'app-message__meta nhsuk-body-s');
    meta.appendChild(el('strong', '', m.sender));
    meta.appendChild(document.createTextNode(' ' + new Date(m.created_at).toUTCString().slice(5, 22) + ' UTC'));
    if (m.status !== 'delivered') {
      meta.appendChild(document.createTextNode(' '));
      meta.appendChild(el('strong', 'nhsuk-tag ' + (m.status === 'blocked' ? 'nhsuk-tag--red' : 'nhsuk-tag--yellow'),
        m.status === 'held' ? 'Waiting to be checked' : 'Not sent'));
    }
    li.appendChild(meta);
    li.appendChild(el('p', 'app-message__body', m.body));
    if (m.redacted) {
      li.appendChild(el('p', 'nhsuk-body-s', 'Part of this message was removed by our safety team.'));
    }
    if (m.note) {
      li.appendChild(el('p', 'nhsuk-body-s app-message__note', m.note));
    }
    return li;
  }

  // refresh reads the thread through the API and adds or replaces the
  // messages that are new or changed.
  function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    fetch(api, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (doc) {
        if (!doc) {
          return;
        }
        var empty = list.querySelector('.app-messages__empty');
        doc.messages.forEach(function (m) {
          var li = render(m);
          var old = document.getElementById('message-' + m.id);
          if (old) {
            var body = old.querySelector('.app-message__body');
            if (old.className !== li.className || !body || body.textContent !== m.body) {
              list.replaceChild(li, old);
            }
          } else {
            if (empty) {
              empty.remove();
              empty = null;
            }
            list.appendChild(li);
          }
        });
      })
      .catch(function () {})
      .then(function () {
        fetching = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var source = new EventSource(events);
  source.addEventListener('message', refresh);
})();
