/* Comments widget: live thread over the build-time snapshot, replies, posting, editing.
   No dependencies, no build step, no cookies for guests; shipped as written (budget: README). */
(() => {
'use strict';
const $ = (s, e = document) => e.querySelector(s),
  root = $('.comments-thread');
if (!root) return;
const D = root.dataset, api = D.api + '/api/v1/', open = D.mode == 'open',
  threadUrl = api + 'threads/' + encodeURIComponent(D.thread) + '/comments',
  status = $('.comments-status', root), form = $('.comment-form', root),
  spot = document.createComment(''), calm = matchMedia('(prefers-reduced-motion:reduce)'),
  store = 'comments:' + D.thread;
// This reader's own comments: {id: {t: edit token, u: editable until (ms), b: Markdown, c: held comment}}
let mine = {}, list = $('.comment-list', root), count, user, last;
try { mine = JSON.parse(localStorage[store] || '{}'); } catch {} // storage may be blocked
const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  },
  button = (text, act, label) => {
    const b = el('button', 0, text);
    b.type = 'button';
    if (label) b.setAttribute('aria-label', label);
    b.onclick = act;
    return b;
  },
  say = (text, warn) => {
    status.textContent = text;
    status.classList.toggle('comments-warning', !!warn);
  },
  save = () => {
    for (const id in mine) if (mine[id].u < Date.now()) delete mine[id];
    try { localStorage[store] = JSON.stringify(mine); } catch {}
  },
  show = e => {
    e.tabIndex = -1;
    e.focus({preventScroll: true});
    e.scrollIntoView({block: 'nearest', behavior: calm.matches ? 'auto' : 'smooth'});
  },
  request = (url, method, body, token) => fetch(url, {
    method, credentials: user ? 'include' : 'omit',
    headers: Object.assign({'Content-Type': 'application/json'}, token && {'X-Edit-Token': token}),
    body: body && JSON.stringify(body)
  }),
  answer = r => r.json().catch(() => ({})),
  setCount = n => {
    count = n;
    $('#comments-heading').textContent = 'Comments (' + n + ')';
    for (const a of document.querySelectorAll('a[href="#comments"]'))
      if (/^Read comments/.test(a.textContent)) a.textContent = 'Read comments (' + n + ')';
    const empty = $('.comments-empty', root);
    if (empty) empty.hidden = n > 0;
  },
  day = iso => new Date(iso).toLocaleDateString('en-GB',
    {day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC'}),

  // One comment and its replies, as the plugin renders them at build time.
  item = (c, replies) => {
    const li = el('li', 'comment'), meta = el('p', 'comment-meta'),
      who = el(c.website ? 'a' : 'span', 'comment-author', c.author),
      when = el('a', 'comment-date'), time = el('time', 0, day(c.created)),
      body = el('div', 'comment-body'), acts = el('p', 'comment-actions'), own = mine[c.id];
    li.id = 'comment-' + c.id;
    if (c.website && /^https?:\/\//.test(c.website)) {
      who.href = c.website;
      who.rel = 'nofollow ugc';
    }
    time.dateTime = c.created;
    when.href = '#' + li.id;
    when.append(time);
    meta.append(who, ' ', when);
    if (c.verified) who.after(' ', el('span', 'comment-badge', 'staff'));
    body.innerHTML = c.html; // sanitised by the API
    li.append(meta, body);
    if (c.pending) li.append(el('p', 'comment-held', 'Your comment is awaiting moderation.'));
    if (open && !c.pending && form)
      acts.append(button('Reply', e => reply(li, c, e.target), 'Reply to ' + c.author));
    if (own && own.u > Date.now())
      acts.append(button('Edit', () => edit(li, c, own)), ' ', button('Delete', () => remove(li, c, own)));
    if (acts.firstChild) li.append(acts);
    if (replies && replies.length) li.append(branch(replies, 1));
    return li;
  },
  branch = (nodes, nested) => {
    const ol = el('ol', nested ? 'comment-replies' : 'comment-list');
    for (const n of nodes) ol.append(item(n.c, n.r));
    return ol;
  },
  render = comments => {
    const nodes = {}, top = [];
    for (const c of comments) nodes[c.id] = {c, r: []};
    for (const c of comments) (nodes[c.parent] ? nodes[c.parent].r : top).push(nodes[c.id]);
    home();
    const fresh = branch(top);
    list.replaceWith(fresh);
    list = fresh;
  },
  load = () => fetch(threadUrl, {credentials: 'omit'})
    // A thread the API does not know yet (a post deployed before its manifest) is empty.
    .then(r => r.ok ? r.json() : r.status == 404 ? {count: 0, comments: []} : Promise.reject())
    .then(t => {
      const held = [];
      for (const id in mine) if (mine[id].c) {
        if (t.comments.some(c => c.id == id)) delete mine[id].c;
        else held.push(Object.assign(mine[id].c, {pending: 1}));
      }
      save();
      render(t.comments.concat(held));
      setCount(t.count);
    }, () => {
      say('The comments service is not answering right now: these are the comments saved ' +
        'when this page was published. Try again later to post.', 1);
    }),

  // Replies: the one form moves under the comment being answered.
  reply = (li, c, from) => {
    last = from;
    li.querySelector('.comment-actions').after(form);
    form.parent.value = c.id;
    form.parent.disabled = false;
    heading.textContent = 'Reply to ' + c.author;
    cancel.hidden = false;
    form.body.focus();
  },
  home = () => {
    if (!form || !form.parent.value) return;
    spot.after(form);
    form.parent.value = '';
    form.parent.disabled = true;
    heading.textContent = 'Leave a comment';
    cancel.hidden = true;
  },

  // Field errors sit under their field, tied to it with aria-describedby.
  clear = scope => {
    for (const e of scope.querySelectorAll('.comment-error')) e.remove();
    for (const f of scope.querySelectorAll('[aria-invalid]')) {
      f.removeAttribute('aria-invalid');
      const rest = f.getAttribute('aria-describedby').split(' ').filter(i => !/-error$/.test(i));
      if (rest.length) f.setAttribute('aria-describedby', rest.join(' '));
      else f.removeAttribute('aria-describedby');
    }
  },
  flag = (field, message) => {
    const note = el('span', 'comment-error', message);
    note.id = field.id + '-error';
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby',
      ((field.getAttribute('aria-describedby') || '') + ' ' + note.id).trim());
    field.parentNode.append(note);
  },
  problems = (scope, fields, reply) => {
    let first, other = [];
    for (const e of reply.errors || []) {
      const f = fields(e.field);
      if (f && f.type != 'hidden' && !f.disabled) {
        flag(f, e.message);
        first = first || f;
      } else other.push(e.message);
    }
    say([reply.detail || 'That did not work; please try again.'].concat(other).join(' '), 1);
    if (first) first.focus();
  },
  offline = () => say('Your comment could not be sent: the comments service is not answering ' +
    'right now. Try again later.', 1),

  // Authors may edit or delete their comment within the edit window.
  edit = (li, c, own) => {
    const box = el('form', 'comment-edit'), p = el('p', 'comment-field'),
      label = el('label', 0, 'Edit your comment'), text = el('textarea'),
      body = $('.comment-body', li), acts = $('.comment-actions', li),
      done = () => {
        box.remove();
        body.hidden = acts.hidden = false;
        $('button', acts).focus();
      };
    text.id = label.htmlFor = 'comment-edit-' + c.id;
    text.name = 'body';
    text.rows = 5;
    text.value = own.b || '';
    p.append(label, text);
    box.append(p, el('button', 0, 'Save'), ' ', button('Cancel', done));
    box.onkeydown = e => e.key == 'Escape' && done();
    box.onsubmit = e => {
      e.preventDefault();
      clear(box);
      request(api + 'comments/' + c.id, 'PATCH', {body: text.value}, own.t).then(r => answer(r)
        .then(j => {
          if (!r.ok) return problems(box, () => text, j);
          own.b = text.value;
          save();
          body.innerHTML = (j.comment || j).html;
          done();
          say('Your comment is updated.');
        }), offline);
    };
    body.hidden = acts.hidden = true;
    body.after(box);
    text.focus();
  },
  remove = (li, c, own) => {
    if (!confirm('Delete your comment?')) return;
    request(api + 'comments/' + c.id, 'DELETE', 0, own.t).then(r => answer(r).then(j => {
      if (!r.ok) return problems(li, () => 0, j);
      delete mine[c.id];
      save();
      li.remove();
      if (!c.pending) setCount(count - 1);
      say('Your comment is deleted.');
      show($('#comments-heading'));
    }), offline);
  };

if (location.hash && /^#comment-(awaiting|published)/.test(location.hash))
  $(location.hash).hidden = false;

if (!form) return void load();
const heading = $('#comment-form-heading'),
  cancel = button('Cancel reply', () => (home(), last && last.focus()));
form.noValidate = true;
form.opened_at.value = Date.now();
form.opened_at.disabled = false;
form.before(spot);
cancel.hidden = true;
$('[type=submit]', form).after(' ', cancel);
form.onkeydown = e => e.key == 'Escape' && form.parent.value && cancel.click();

form.onsubmit = e => {
  e.preventDefault();
  clear(form);
  const data = Object.fromEntries(new FormData(form)), send = $('[type=submit]', form);
  data.notify = !!data.notify;
  if (!data.website) delete data.website;
  if (data.parent) data.parent = +data.parent;
  data.opened_at = +data.opened_at;
  const bad = [...form.elements].filter(f => f.willValidate && !f.validity.valid);
  if (bad.length) return problems(form, n => form.elements[n], {detail: 'Please correct the ' +
    'marked fields.', errors: bad.map(f => ({field: f.name, message: f.dataset.error || f.validationMessage}))});
  send.disabled = true;
  request(threadUrl, 'POST', data).then(r => answer(r).then(j => {
    if (!r.ok) return problems(form, n => form.elements[n], j);
    const c = j.comment, held = j.status != 'approved',
      parent = c.parent && $('#comment-' + c.parent, list);
    mine[c.id] = {t: j.edit_token, u: Date.parse(j.editable_until), b: data.body, c: held && c};
    save();
    c.pending = held;
    const li = item(c);
    home();
    if (parent) {
      const ol = $(':scope>.comment-replies', parent) || parent.appendChild(el('ol', 'comment-replies'));
      ol.append(li);
    } else list.append(li);
    if (!held) setCount(count + 1);
    form.body.value = '';
    say(held ? 'Thank you. Your comment is awaiting moderation.' : 'Thank you. Your comment is published.');
    show(li);
  }), offline).finally(() => send.disabled = false);
};

// Signed-in members post under their name; guests (or no sign-in service) see the full form.
if ('signIn' in D) fetch(api + 'auth/me', {credentials: 'include'})
  .then(r => r.ok ? r.json() : 0).then(me => {
    const link = $('.comment-sign-in a', root);
    if (me && me.login_url && link) link.href = me.login_url;
    if (!me || !me.signed_in) return;
    user = me.user;
    const guest = $('.comment-guest', form), who = el('p', 'comment-user',
      'Signed in as ' + user.display_name + ' \u00b7 ');
    guest.disabled = guest.hidden = true;
    who.append(button('Sign out', () => request(api + 'auth/logout', 'POST')
      .then(() => location.reload())));
    guest.before(who);
    $('.comment-sign-in', root)?.remove();
  }).catch(() => 0);

count = +$('#comments-heading').textContent.replace(/\D/g, '');
load();
})();
