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

  var tags = { held: 'Waiting to be checked', blocked: 'Not sent' };

  function when(iso) {
    // The same words as the server's: "2 Jan 2006 15:04 UTC".
    var d = new Date(iso);
    var months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    function two(n) { return (n < 10 ? '0' : '') + n; }
    return d.getUTCDate() + ' ' + months[d.getUTCMonth()] + ' ' + d.getUTCFullYear() + ' ' +
      two(d.getUTCHours()) + ':' + two(d.getUTCMinutes()) + ' UTC';
  }

  var types = { 'image/png': 'PNG image', 'image/jpeg': 'JPEG image', 'application/pdf': 'PDF' };

  // size is FileSize's words: "900 bytes", "12 KB", "1.4 MB".
  function size(n) {
    if (n < 1024) {
      return n + ' bytes';
    }
    if (n < 1048576) {
      return Math.round(n / 1024) + ' KB';
    }
    return String(Math.round(n / 104857.6) / 10) + ' MB';
  }

  // files lists a message's files as _files.html does.
  function files(list, thumbs) {
    var ul = el('ul', 'app-message__files nhsuk-list');
    list.forEach(function (f) {
      var li = el('li', 'app-message__file');
      var a = el('a');
      a.href = f.url;
      if (thumbs && f.content_type.indexOf('image/') === 0) {
        var img = el('img', 'app-message__thumb');
        img.src = f.url;
        img.alt = f.filename;
        img.width = 120;
        img.loading = 'lazy';
        a.appendChild(img);
        a.appendChild(document.createTextNode(' '));
      }
      a.appendChild(document.createTextNode(f.filename));
      li.appendChild(a);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(el('span', 'nhsuk-body-s', '(' + (types[f.content_type] || f.content_type) + ', ' + size(f.size) + ')'));
      ul.appendChild(li);
    });
    return ul;
  }

  // render builds a message as thread.html does.
  function render(m) {
    var li = el('li', 'app-message' + (m.mine ? ' app-message--mine' : '') + ' app-message--' + m.status);
    li.id = 'message-' + m.id;
    li.setAttribute('data-id', m.id);
    var meta = el('p', 'app-message__meta');
    meta.appendChild(el('strong', 'app-message__sender', m.sender));
    meta.appendChild(document.createTextNode(' '));
    var time = el('time', '', when(m.created_at));
    time.setAttribute('datetime', m.created_at);
    meta.appendChild(time);
    li.appendChild(meta);
    li.appendChild(el('p', 'app-message__body', m.body));
    if (m.attachments && m.attachments.length) {
      li.appendChild(files(m.attachments, m.status === 'delivered'));
    }
    if (m.redacted) {
      li.appendChild(el('p', 'app-message__redacted', 'Part of this message was removed by our safety team.'));
    }
    var tag = tags[m.status];
    var note = m.note || '';
    if (tag) {
      var status = el('p', 'app-message__status');
      status.appendChild(el('strong', 'nhsuk-tag ' + (m.status === 'blocked' ? 'nhsuk-tag--red' : 'nhsuk-tag--yellow'), tag));
      if (note.indexOf(tag + '.') === 0) {
        note = note.slice(tag.length + 1).trim();
      }
      if (note) {
        status.appendChild(document.createTextNode(' ' + note));
      }
      li.appendChild(status);
    } else if (note) {
      li.appendChild(el('p', 'app-message__status', note));
    }
    return li;
  }

  // nearBottom says whether the newest message is in view, so a new one
  // is scrolled to only when the reader is following the conversation.
  function nearBottom() {
    return list.getBoundingClientRect().bottom <= window.innerHeight + 120;
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
        var follow = nearBottom();
        var added = null;
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
            added = li;
          }
        });
        if (added && follow && added.scrollIntoView) {
          added.scrollIntoView({ block: 'end' });
        }
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
  // data-live says whether the stream is open (for tests and styling).
  source.addEventListener('open', function () {
    list.setAttribute('data-live', 'open');
    refresh();
  });
  source.addEventListener('error', function () {
    list.setAttribute('data-live', 'closed');
  });
})();
