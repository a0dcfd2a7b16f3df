/* Comments widget: see README, "Comments settings". */
(() => {
const $ = (s, e = document) => e.querySelector(s),
  root = $('.comments-thread');
if (!root) return;
const D = root.dataset, api = D.api + '/api/v1/', open = D.mode == 'open',
  thread = 'threads/' + encodeURIComponent(D.thread) + '/comments',
  status = $('.comments-status', root), form = $('.comment-form', root),
  model = $('.comment-template', root).content.firstElementChild,
  spot = document.createComment(''),
  store = 'comments:' + D.thread, text = s => $(s).textContent, opened = Date.now();
// Own comments: {id: {t: edit token, u: editable until, b: Markdown, c: if held}}
let mine = {}, list = $('.comment-list', root), count, user, last, warned;
try { mine = JSON.parse(localStorage[store] || '{}'); } catch {}
const el = (tag, cls, words) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (words) e.textContent = words;
    return e;
  },
  button = (words, act, label) => {
    const b = el('button', 0, words);
    b.type = 'button';
    if (label) b.setAttribute('aria-label', label);
    b.onclick = act;
    return b;
  },
  say = (words, warn) => {
    status.textContent = words;
    status.classList.toggle('comments-warning', !!warn);
  },
  save = () => {
    for (const id in mine) if (mine[id].u < Date.now()) delete mine[id];
    try { localStorage[store] = JSON.stringify(mine); } catch {}
  },
  show = e => {
    e.tabIndex = -1;
    e.focus();
  },
  call = (path, method, body, token) => fetch(api + path, {
    method, credentials: user ? 'include' : 'omit',
    headers: {'Content-Type': 'application/json', ...token && {'X-Edit-Token': token}},
    body: body && JSON.stringify(body)
  }).then(r => r.json().catch(() => ({})).then(j => (j.ok = r.ok, j))),
  setCount = n => {
    count = n;
    for (const e of document.querySelectorAll('#comments-heading,a[href="#comments"]'))
      e.textContent = e.textContent.replace(/\(\d+\)/, '(' + n + ')');
    const empty = $('.comments-empty', root);
    if (empty) empty.hidden = n > 0;
  },
  day = iso => new Date(iso).toLocaleDateString('en-GB', {dateStyle: 'long', timeZone: 'UTC'}),

  // A comment and its replies, in the plugin's <template> markup.
  item = (c, replies) => {
    const li = model.cloneNode(true), q = s => $(s, li), id = 'comment-' + c.id,
      who = q('[itemprop=url]'), time = q('time'), body = q('.comment-body'),
      report = q('details'), acts = el('p', 'comment-actions'), own = mine[c.id];
    li.id = id;
    li.dataset.id = c.id;
    q('[itemprop=name]').textContent = c.author;
    if (/^https?:\/\//.test(c.website)) who.href = c.website;
    else who.replaceWith(who.firstChild);
    q('.comment-badge').hidden = !c.verified;
    q('.comment-date').href = '#' + id;
    time.dateTime = c.created;
    time.textContent = day(c.created);
    body.innerHTML = c.html; // sanitised by the API
    if (c.pending) report.replaceWith(el('p', 'comment-held', 'Your comment is awaiting moderation.'));
    else reportable(report, c);
    if (open && !c.pending && form)
      acts.append(button('Reply', e => place(c, last = e.target), 'Reply to ' + c.author));
    if (own && own.u > Date.now())
      acts.append(button('Edit', () => edit(li, c, own)), ' ', button('Delete', () => remove(li, c, own)));
    if (acts.firstChild) body.after(acts);
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
    if (form && form.parent.value) place();
    const fresh = branch(top);
    list.replaceWith(fresh);
    list = fresh;
  },
  load = () => fetch(api + thread, {credentials: 'omit'})
    // 404: a post deployed before its manifest.
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
      say('The comments service is not answering: these are the comments saved when this ' +
        'page was published.', 1);
    }),

  reportable = (box, c) => {
    const f = $('form', box), why = f.reason, path = 'comments/' + c.id + '/report';
    f.action = api + path;
    why.id = $('label', f).htmlFor = 'comment-' + c.id + '-reason';
    f.onsubmit = e => {
      e.preventDefault();
      clear(f);
      call(path, 'POST', {reason: why.value}).then(j => {
        if (!j.ok) return problems(() => why, j);
        box.open = false;
        why.value = '';
        $('summary', box).focus();
        say(text('#comment-reported'));
      }, offline);
    };
  },

  // The form moves under the comment answered (c), or back home.
  place = c => {
    (c ? $('#comment-' + c.id + '>.comment-actions') : spot).after(form);
    form.parent.value = c ? c.id : '';
    form.parent.disabled = cancel.hidden = !c;
    heading.textContent = c ? 'Reply to ' + c.author : 'Leave a comment';
    if (c) form.body.focus();
  },

  clear = scope => {
    for (const n of scope.querySelectorAll('[id$=-note]')) n.remove();
    for (const f of scope.querySelectorAll('[aria-describedby]')) {
      f.removeAttribute('aria-invalid');
      const rest = f.getAttribute('aria-describedby').replace(/\S+-note/, '').trim();
      if (rest) f.setAttribute('aria-describedby', rest);
      else f.removeAttribute('aria-describedby');
    }
  },
  note = (field, words, warn) => {
    const n = el('span', warn ? 'comment-warn' : 'comment-error', words);
    n.id = field.id + '-note';
    if (!warn) field.setAttribute('aria-invalid', true);
    field.setAttribute('aria-describedby',
      ((field.getAttribute('aria-describedby') || '') + ' ' + n.id).trim());
    field.parentNode.append(n);
  },
  problems = (fields, answer) => {
    let first, other = [];
    for (const e of answer.errors || []) {
      const f = fields(e.field);
      if (f && f.type != 'hidden') {
        note(f, e.message);
        first = first || f;
      } else other.push(e.message);
    }
    say([answer.detail || 'That did not work; please try again.'].concat(other).join(' '), 1);
    if (first) first.focus();
  },
  offline = () => say('That could not be sent: the comments service is not answering. ' +
    'Try again later.', 1),

  edit = (li, c, own) => {
    const box = el('form', 'comment-edit'), id = 'comment-edit-' + c.id,
      body = $('.comment-body', li), acts = $('.comment-actions', li),
      done = () => {
        box.remove();
        body.hidden = acts.hidden = false;
        $('button', acts).focus();
      };
    box.innerHTML = '<p class="comment-field"><label for="' + id + '">Edit your comment' +
      '</label><textarea id="' + id + '" rows="5"></textarea></p><button>Save</button> ';
    const area = $('textarea', box);
    area.value = own.b || '';
    box.append(button('Cancel', done));
    box.onkeydown = e => e.key == 'Escape' && done();
    box.onsubmit = e => {
      e.preventDefault();
      clear(box);
      call('comments/' + c.id, 'PATCH', {body: area.value}, own.t).then(j => {
        if (!j.ok) return problems(() => area, j);
        own.b = area.value;
        save();
        body.innerHTML = j.comment.html;
        done();
        say('Your comment is updated.');
      }, offline);
    };
    body.hidden = acts.hidden = true;
    body.after(box);
    area.focus();
  },
  remove = (li, c, own) => confirm('Delete your comment?') &&
    call('comments/' + c.id, 'DELETE', null, own.t).then(j => {
      if (!j.ok) return problems(() => 0, j);
      delete mine[c.id];
      save();
      li.remove();
      if (!c.pending) setCount(count - 1);
      say('Your comment is deleted.');
      show($('#comments-heading'));
    }, offline);

count = +text('#comments-heading').replace(/\D/g, '');
if (!form) return void load();

const heading = $('#comment-form-heading'), cancel = $('.comment-cancel', form),
  field = name => form.elements[name],
  guest = $('.comment-guest', form), who = $('.comment-user', form),
  member = u => {
    user = u;
    guest.hidden = guest.disabled = $('.comment-sign-in', form).hidden = !!u;
    who.hidden = form.author.required = form.email.required = !u;
    if (u) $('strong', who).textContent = u.display_name;
  },
  post = data => call(thread, 'POST', data).then(j => {
    if (!j.ok) return problems(field, j);
    const c = j.comment, held = j.status != 'approved',
      parent = c.parent && $('#comment-' + c.parent, list);
    mine[c.id] = {t: j.edit_token, u: Date.parse(j.editable_until), b: data.body, c: held && c};
    save();
    c.pending = held;
    const li = item(c);
    place();
    if (parent) ($(':scope>.comment-replies', parent) ||
      parent.appendChild(el('ol', 'comment-replies'))).append(li);
    else list.append(li);
    if (!held) setCount(count + 1);
    form.body.value = '';
    say(text(held ? '#comment-awaiting-moderation' : '#comment-published'));
    show(li);
  }, offline);

cancel.onclick = () => (place(), last && last.focus());
form.noValidate = true;
form.before(spot);
form.onkeydown = e => e.key == 'Escape' && form.parent.value && cancel.click();

form.onsubmit = e => {
  e.preventDefault();
  clear(form);
  const data = Object.fromEntries(new FormData(form)), send = $('[type=submit]', form),
    bad = [...form.elements].filter(f => f.willValidate && !f.validity.valid);
  data.notify = !!data.notify;
  if (!data.website) delete data.website;
  if (data.parent) data.parent = +data.parent;
  data.opened_at = opened;
  if (bad.length) return problems(field, {detail: 'Please correct the marked fields.',
    errors: bad.map(f => ({field: f.name, message: f.dataset.error || f.validationMessage}))});
  send.disabled = true;
  // One warning about personal details; pressing again posts anyway.
  (warned ? Promise.resolve({}) : call('check-personal-data', 'POST', {body: data.body}))
    .catch(() => ({})).then(j => {
      warned = j.ok && j.findings.length;
      if (!warned) return post(data);
      const words = 'Part of your comment ' + j.findings.map(f => f.reason).join(', part ') +
        '. Take it out, or press Post comment again to send it as it is: it will then wait for a moderator.';
      note(form.body, words, 1);
      say(words, 1);
      form.body.focus();
    }).finally(() => send.disabled = false);
};

if (who) {
  $('button', who).onclick = () => call('auth/logout', 'POST').then(j => {
    if (!j.ok) return problems(field, j);
    member(null);
    say('You are signed out.');
    form.author.focus();
  }, offline);
  fetch(api + 'auth/me', {credentials: 'include'}).then(r => r.json())
    .then(me => me.signed_in && member(me.user), () => 0);
}
load();
})();
