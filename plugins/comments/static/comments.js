/* Comments widget: see README, "Comments settings". The plugin minifies it for the site. */
(() => {
const $ = (s, e = document) => e.querySelector(s),
  root = $('.comments-thread');
if (!root) return;
const section = root.dataset, api = section.api + '/api/v1/', open = section.mode == 'open',
  thread = 'threads/' + encodeURIComponent(section.thread) + '/comments',
  status = $('.comments-status', root), form = $('.comment-form', root),
  [model, removedModel] = $('.comment-template', root).content.children,
  spot = document.createComment(''),
  store = 'comments:' + section.thread, text = s => $(s).textContent, opened = Date.now();
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
  say = (words, warn, where = status) => {
    where.textContent = words;
    where.classList.toggle('comments-warning', !!warn);
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
  }).then(response => response.json().catch(() => ({})).then(answer => (answer.ok = response.ok, answer))),
  setCount = n => {
    count = n;
    for (const e of document.querySelectorAll('#comments-heading,a[href="#comments"]'))
      e.textContent = e.textContent.replace(/\(\d+\)/, '(' + n + ')');
    const empty = $('.comments-empty', root);
    if (empty) empty.hidden = n > 0;
  },
  date = (time, iso) => {
    time.dateTime = iso;
    time.textContent = new Date(iso).toLocaleDateString('en-GB', {dateStyle: 'long', timeZone: 'UTC'});
  },

  // A comment and its replies, in the plugin's <template> markup; a removed one is a note.
  item = (c, replies) => {
    const li = (c.removed ? removedModel : model).cloneNode(true);
    li.id = 'comment-' + c.id;
    li.dataset.id = c.id;
    if (!c.removed) fill(li, c);
    if (replies && replies.length) li.append(branch(replies, 1));
    return li;
  },
  fill = (li, c) => {
    const q = s => $(s, li), who = q('[itemprop=url]'), body = q('.comment-body'),
      report = q('details'), edited = q('.comment-edited'), acts = el('p', 'comment-actions'),
      own = mine[c.id];
    q('[itemprop=name]').textContent = c.author;
    if (/^https?:\/\//.test(c.website)) who.href = c.website;
    else who.replaceWith(who.firstChild);
    q('.comment-badge').hidden = !c.verified;
    q('.comment-date').href = '#' + li.id;
    date(q('time'), c.created);
    if (!c.edited) edited.remove();
    else {
      date($('time', edited), c.edited);
      if (c.edited_by != 'moderator') q('.comment-edited-by').remove();
    }
    body.innerHTML = c.html; // sanitised by the API
    if (c.pending) report.replaceWith(el('p', 'comment-held', 'Your comment is awaiting moderation.'));
    else reportable(report, c);
    if (open && !c.pending && form)
      acts.append(button('Reply', e => place(c, last = e.target), 'Reply to ' + c.author));
    if (own && own.u > Date.now())
      acts.append(button('Edit', e => edit(li, c, own, e.target)), button('Delete', () => remove(li, c, own)));
    if (acts.firstChild) body.after(acts);
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
      call(path, 'POST', {reason: why.value}).then(answer => {
        if (!answer.ok) return problems(() => why, answer);
        // Thanked where the reader is, too: the status line may be off screen on a phone.
        const summary = $('summary', box);
        box.open = false;
        why.value = '';
        summary.textContent = 'Reported: thank you';
        summary.focus();
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
  // Each error next to its field; errors of fields the reader cannot see (the name, once
  // signed in) join the message, which gets the focus when no field does.
  problems = (fields, answer, where = status) => {
    let first, other = [];
    for (const e of answer.errors || []) {
      const f = fields(e.field);
      if (f && f.type != 'hidden' && f.offsetParent) {
        note(f, e.message);
        first = first || f;
      } else other.push(e.message);
    }
    say([answer.detail || 'That did not work; please try again.'].concat(other).join(' '), 1, where);
    first ? first.focus() : show(where);
  },
  offline = () => say('That could not be sent: the comments service is not answering. ' +
    'Try again later.', 1),

  edit = (li, c, own, editButton) => {
    const box = el('form', 'comment-edit'), id = 'comment-edit-' + c.id,
      body = $('.comment-body', li), acts = $('.comment-actions', li),
      done = () => {
        box.remove();
        body.hidden = acts.hidden = false;
        editButton.focus();
      };
    box.innerHTML = '<p class="comment-field"><label for="' + id + '">Edit your comment' +
      '</label><textarea id="' + id + '" rows="5"></textarea></p><button>Save</button> ';
    const area = $('textarea', box);
    area.value = own.b || '';
    box.append(button('Cancel', done));
    box.addEventListener('keydown', e => {
      if (e.key == 'Escape') done();
    });
    // The comment as the API now shows it: an edit may be held for a moderator.
    box.onsubmit = e => {
      e.preventDefault();
      clear(box);
      call('comments/' + c.id, 'PATCH', {body: area.value}, own.t).then(answer => {
        if (!answer.ok) return problems(() => area, answer);
        const held = answer.status != 'approved', edited = answer.comment,
          replies = $(':scope>.comment-replies', li), fresh = item(Object.assign(edited, {pending: held}));
        own.b = area.value;
        own.c = held && edited;
        save();
        if (held != !!c.pending) setCount(count + (held ? -1 : 1));
        if (replies) fresh.append(replies);
        li.replaceWith(fresh);
        say(held ? answer.message : 'Your comment is updated.');
        show(fresh);
      }, offline);
    };
    body.hidden = acts.hidden = true;
    body.after(box);
    area.focus();
  },
  remove = (li, c, own) => confirm('Delete your comment?') &&
    call('comments/' + c.id, 'DELETE', null, own.t).then(answer => {
      if (!answer.ok) return problems(() => 0, answer);
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
  field = name => form.elements[name], formStatus = $('.comment-form-status', form),
  commentBox = form.body, limit = commentBox.maxLength, counter = $('#comment-body-count', form),
  number = n => n.toLocaleString('en-GB'),
  countCharacters = () => {
    const left = limit - commentBox.value.length;
    counter.textContent = left < 0
      ? number(-left) + (left < -1 ? ' characters' : ' character') + ' too many: a comment can be up to ' +
        number(limit) + ' characters.'
      : number(left) + ' of ' + number(limit) + ' characters left';
    counter.classList.toggle('comment-error', left < 0);
  },
  guest = $('.comment-guest', form), who = $('.comment-user', form),
  member = u => {
    user = u;
    guest.hidden = guest.disabled = $('.comment-sign-in', form).hidden = !!u;
    who.hidden = form.author.required = form.email.required = !u;
    if (u) $('strong', who).textContent = u.display_name;
  },
  post = data => call(thread, 'POST', data).then(answer => {
    if (!answer.ok) return problems(field, answer, formStatus);
    const c = answer.comment, held = answer.status != 'approved',
      parent = c.parent && $('#comment-' + c.parent, list);
    mine[c.id] = {t: answer.edit_token, u: Date.parse(answer.editable_until), b: data.body, c: held && c};
    save();
    c.pending = held;
    const li = item(c);
    place();
    if (parent) ($(':scope>.comment-replies', parent) ||
      parent.appendChild(el('ol', 'comment-replies'))).append(li);
    else list.append(li);
    if (!held) setCount(count + 1);
    commentBox.value = '';
    countCharacters();
    say(text(held ? '#comment-awaiting-moderation' : '#comment-published'));
    show(li);
  }, offline);

cancel.onclick = () => (place(), last && last.focus());
form.noValidate = true;
form.before(spot);
form.addEventListener('keydown', e => {
  if (e.key == 'Escape' && form.parent.value) cancel.click();
});
// A long paste is kept whole and counted, so the reader sees what to shorten.
commentBox.removeAttribute('maxlength');
commentBox.addEventListener('input', countCharacters);
countCharacters();

form.onsubmit = e => {
  e.preventDefault();
  clear(form);
  say('', 0, formStatus);
  const data = Object.fromEntries(new FormData(form)), send = $('[type=submit]', form),
    bad = [...form.elements].filter(f => f.willValidate && !f.validity.valid ||
      f == commentBox && f.value.length > limit);
  data.notify = !!data.notify;
  if (!data.website) delete data.website;
  if (data.parent) data.parent = +data.parent;
  data.opened_at = opened;
  if (bad.length) return problems(field, {detail: 'Please correct the marked fields.',
    errors: bad.map(f => ({field: f.name, message: f.dataset.error || f.validationMessage}))}, formStatus);
  send.disabled = true;
  // One warning about personal details; pressing again posts anyway.
  (warned ? Promise.resolve({}) : call('check-personal-data', 'POST', {body: data.body}))
    .catch(() => ({})).then(answer => {
      warned = answer.ok && answer.findings.length;
      if (!warned) return post(data);
      const words = 'Part of your comment ' + answer.findings.map(f => f.reason).join(', part ') +
        '. Take it out, or press Post comment again to send it as it is: it will then wait for a moderator.';
      note(form.body, words, 1);
      say(words, 1);
      form.body.focus();
    }).finally(() => send.disabled = false);
};

if (who) {
  $('button', who).onclick = () => call('auth/logout', 'POST').then(answer => {
    if (!answer.ok) return problems(field, answer, formStatus);
    member(null);
    say('You are signed out.');
    form.author.focus();
  }, offline);
  fetch(api + 'auth/me', {credentials: 'include'}).then(r => r.json())
    .then(me => me.signed_in && member(me.user), () => 0);
}
load();
})();
