/* The comments widget: live comments, replies, reports, edits and sign-in on a post's page.
   See README, "The widget". It enhances the section the plugin renders, which works without
   JavaScript; the plugin ships a minified copy of this file. */
(() => {
  'use strict';

  const find = (selector, scope = document) => scope.querySelector(selector);

  const root = find('.comments-thread');
  if (!root) return;

  const section = root.dataset;
  const api = section.api + '/api/v1/';
  const repliesAllowed = section.mode == 'open';
  const threadPath = 'threads/' + encodeURIComponent(section.thread) + '/comments';
  const status = find('.comments-status', root);
  const form = find('.comment-form', root);
  // The markup of a comment and of a removed comment's note, rendered by the plugin.
  const [commentModel, removedModel] = find('.comment-template', root).content.children;
  // Where the form lives when it is not under a comment being answered.
  const formHome = document.createComment('');
  const storageKey = 'comments:' + section.thread;
  const openedAt = Date.now();

  // The reader's own comments, kept in this browser while they may still be edited:
  // {id: {token: edit token, until: editable until (ms), body: Markdown, held: comment if held}}.
  let ownComments = {};
  try {
    ownComments = JSON.parse(localStorage[storageKey] || '{}');
  } catch {}
  let list = find('.comment-list', root);
  let count = Number(textOf('#comments-heading').replace(/\D/g, ''));
  let signedInUser = null;
  let lastReplyButton = null;
  let warnedAboutPersonalData = false;

  // --- helpers ------------------------------------------------------------------------------

  function textOf(selector) {
    return find(selector).textContent;
  }

  function element(tag, className, words) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (words) made.textContent = words;
    return made;
  }

  function button(words, onPress, label) {
    const made = element('button', '', words);
    made.type = 'button';
    if (label) made.setAttribute('aria-label', label);
    made.addEventListener('click', onPress);
    return made;
  }

  function say(words, isWarning, where = status) {
    where.textContent = words;
    where.classList.toggle('comments-warning', Boolean(isWarning));
  }

  function keepOwnComments() {
    for (const id in ownComments) {
      if (!(ownComments[id].until > Date.now())) delete ownComments[id];
    }
    try {
      localStorage[storageKey] = JSON.stringify(ownComments);
    } catch {}
  }

  function moveFocusTo(target) {
    target.tabIndex = -1;
    target.focus();
  }

  // A call to the API; resolves to its JSON answer with `ok` set, rejects when unreachable.
  function callApi(path, method, body, editToken) {
    const headers = {'Content-Type': 'application/json'};
    if (editToken) headers['X-Edit-Token'] = editToken;
    return fetch(api + path, {
      method,
      credentials: signedInUser ? 'include' : 'omit',
      headers,
      body: body && JSON.stringify(body),
    }).then(response => response.json().catch(() => ({})).then(answer => {
      answer.ok = response.ok;
      return answer;
    }));
  }

  function setCount(number) {
    count = number;
    for (const shown of document.querySelectorAll('#comments-heading, a[href="#comments"]')) {
      shown.textContent = shown.textContent.replace(/\(\d+\)/, '(' + number + ')');
    }
    const empty = find('.comments-empty', root);
    if (empty) empty.hidden = number > 0;
  }

  function showDate(time, iso) {
    time.dateTime = iso;
    time.textContent = new Date(iso).toLocaleDateString('en-GB', {dateStyle: 'long', timeZone: 'UTC'});
  }

  function notAnswering() {
    say('That could not be sent: the comments service is not answering. Try again later.', true);
  }

  // --- comments -----------------------------------------------------------------------------

  // A comment and its replies, from the plugin's markup; a removed comment leaves a note.
  function commentItem(comment, replies) {
    const item = (comment.removed ? removedModel : commentModel).cloneNode(true);
    item.id = 'comment-' + comment.id;
    item.dataset.id = comment.id;
    if (!comment.removed) fillComment(item, comment);
    if (replies && replies.length) item.append(commentTree(replies, true));
    return item;
  }

  function fillComment(item, comment) {
    const part = selector => find(selector, item);
    const authorLink = part('[itemprop=url]');
    const body = part('.comment-body');
    const report = part('details');
    const edited = part('.comment-edited');
    const actions = element('p', 'comment-actions');
    const own = ownComments[comment.id];

    part('[itemprop=name]').textContent = comment.author;
    if (/^https?:\/\//.test(comment.website)) authorLink.href = comment.website;
    else authorLink.replaceWith(authorLink.firstChild);
    part('.comment-badge').hidden = !comment.verified;
    part('.comment-date').href = '#' + item.id;
    showDate(part('time'), comment.created);
    if (!comment.edited) {
      edited.remove();
    } else {
      showDate(find('time', edited), comment.edited);
      if (comment.edited_by != 'moderator') part('.comment-edited-by').remove();
    }
    body.innerHTML = comment.html; // sanitised by the API

    if (comment.pending) {
      report.replaceWith(element('p', 'comment-held', 'Your comment is awaiting moderation.'));
    } else {
      sendReportsFrom(report, comment);
    }
    if (repliesAllowed && !comment.pending && form) {
      actions.append(button('Reply', event => {
        lastReplyButton = event.target;
        placeForm(comment);
      }, 'Reply to ' + comment.author));
    }
    if (own && own.until > Date.now()) {
      actions.append(
        button('Edit', event => startEditing(item, comment, own, event.target)),
        button('Delete', () => deleteOwn(item, comment, own)),
      );
    }
    if (actions.firstChild) body.after(actions);
  }

  function commentTree(nodes, nested) {
    const tree = element('ol', nested ? 'comment-replies' : 'comment-list');
    for (const node of nodes) tree.append(commentItem(node.comment, node.replies));
    return tree;
  }

  function showComments(comments) {
    const nodes = {};
    const topLevel = [];
    for (const comment of comments) nodes[comment.id] = {comment, replies: []};
    for (const comment of comments) {
      const parent = nodes[comment.parent];
      (parent ? parent.replies : topLevel).push(nodes[comment.id]);
    }
    if (form && form.elements.parent.value) placeForm(null);
    const fresh = commentTree(topLevel, false);
    list.replaceWith(fresh);
    list = fresh;
  }

  // The thread as the API has it now, with the reader's own comments that still wait.
  function loadThread() {
    return fetch(api + threadPath, {credentials: 'omit'})
      // 404: a post deployed before the service knows its thread.
      .then(response => response.ok ? response.json()
        : response.status == 404 ? {count: 0, comments: []} : Promise.reject())
      .then(thread => {
        const waiting = [];
        for (const id in ownComments) {
          const held = ownComments[id].held;
          if (!held) continue;
          if (thread.comments.some(comment => comment.id == id)) delete ownComments[id].held;
          else waiting.push(Object.assign(held, {pending: true}));
        }
        keepOwnComments();
        showComments(thread.comments.concat(waiting));
        setCount(thread.count);
      }, () => {
        say('The comments service is not answering: these are the comments saved when this ' +
          'page was published.', true);
      });
  }

  // --- reports ------------------------------------------------------------------------------

  function sendReportsFrom(disclosure, comment) {
    const reportForm = find('form', disclosure);
    const reason = reportForm.elements.reason;
    const path = 'comments/' + comment.id + '/report';
    reportForm.action = api + path;
    reason.id = find('label', reportForm).htmlFor = 'comment-' + comment.id + '-reason';
    reportForm.addEventListener('submit', event => {
      event.preventDefault();
      clearNotes(reportForm);
      callApi(path, 'POST', {reason: reason.value}).then(answer => {
        if (!answer.ok) return showProblems(() => reason, answer);
        // Thanked where the reader is, too: the status line may be off screen on a phone.
        const summary = find('summary', disclosure);
        disclosure.open = false;
        reason.value = '';
        summary.textContent = 'Reported: thank you';
        summary.focus();
        say(textOf('#comment-reported'));
      }, notAnswering);
    });
  }

  // --- errors next to their fields ----------------------------------------------------------

  function clearNotes(scope) {
    for (const note of scope.querySelectorAll('[id$=-note]')) note.remove();
    for (const field of scope.querySelectorAll('[aria-describedby]')) {
      field.removeAttribute('aria-invalid');
      const rest = field.getAttribute('aria-describedby').replace(/\S+-note/, '').trim();
      if (rest) field.setAttribute('aria-describedby', rest);
      else field.removeAttribute('aria-describedby');
    }
  }

  function addNote(field, words, isWarning) {
    const note = element('span', isWarning ? 'comment-warn' : 'comment-error', words);
    note.id = field.id + '-note';
    if (!isWarning) field.setAttribute('aria-invalid', true);
    const described = field.getAttribute('aria-describedby') || '';
    field.setAttribute('aria-describedby', (described + ' ' + note.id).trim());
    field.parentNode.append(note);
  }

  // Each error next to its field; errors of fields the reader cannot see (the name, once
  // signed in) join the message, which gets the focus when no field does.
  function showProblems(fieldNamed, answer, where = status) {
    let firstField = null;
    const unplaced = [];
    for (const error of answer.errors || []) {
      const field = fieldNamed(error.field);
      if (field && field.type != 'hidden' && field.offsetParent) {
        addNote(field, error.message);
        firstField = firstField || field;
      } else {
        unplaced.push(error.message);
      }
    }
    const detail = answer.detail || 'That did not work; please try again.';
    say([detail].concat(unplaced).join(' '), true, where);
    if (firstField) firstField.focus();
    else moveFocusTo(where);
  }

  // --- the reader's own comments: edit and delete -------------------------------------------

  function startEditing(item, comment, own, editButton) {
    const editor = element('form', 'comment-edit');
    const id = 'comment-edit-' + comment.id;
    const body = find('.comment-body', item);
    const actions = find('.comment-actions', item);
    const stopEditing = () => {
      editor.remove();
      body.hidden = actions.hidden = false;
      editButton.focus();
    };
    editor.innerHTML = '<p class="comment-field"><label for="' + id + '">Edit your comment' +
      '</label><textarea id="' + id + '" rows="5"></textarea></p><button>Save</button> ';
    const text = find('textarea', editor);
    text.value = own.body || '';
    editor.append(button('Cancel', stopEditing));
    editor.addEventListener('keydown', event => {
      if (event.key == 'Escape') stopEditing();
    });
    // The comment as the API now shows it: an edit may be held for a moderator.
    editor.addEventListener('submit', event => {
      event.preventDefault();
      clearNotes(editor);
      callApi('comments/' + comment.id, 'PATCH', {body: text.value}, own.token).then(answer => {
        if (!answer.ok) return showProblems(() => text, answer);
        const held = answer.status != 'approved';
        const edited = Object.assign(answer.comment, {pending: held});
        const replies = find(':scope > .comment-replies', item);
        const fresh = commentItem(edited);
        own.body = text.value;
        own.held = held && edited;
        keepOwnComments();
        if (held != Boolean(comment.pending)) setCount(count + (held ? -1 : 1));
        if (replies) fresh.append(replies);
        item.replaceWith(fresh);
        say(held ? answer.message : 'Your comment is updated.');
        moveFocusTo(fresh);
      }, notAnswering);
    });
    body.hidden = actions.hidden = true;
    body.after(editor);
    text.focus();
  }

  function deleteOwn(item, comment, own) {
    if (!confirm('Delete your comment?')) return;
    callApi('comments/' + comment.id, 'DELETE', null, own.token).then(answer => {
      if (!answer.ok) return showProblems(() => null, answer);
      delete ownComments[comment.id];
      keepOwnComments();
      item.remove();
      if (!comment.pending) setCount(count - 1);
      say('Your comment is deleted.');
      moveFocusTo(find('#comments-heading'));
    }, notAnswering);
  }

  // --- the comment form ---------------------------------------------------------------------

  if (!form) {
    loadThread();
    return;
  }

  const fields = form.elements;
  const formHeading = find('#comment-form-heading');
  const cancelReply = find('.comment-cancel', form);
  const formStatus = find('.comment-form-status', form);
  const commentBox = fields.body;
  const maxLength = commentBox.maxLength;
  const counter = find('#comment-body-count', form);
  const guestFields = find('.comment-guest', form);
  const signedInLine = find('.comment-user', form);
  // After signing out of the blog, a member who came from the provider is offered its sign-out.
  const providerSignedOut = find('.comment-provider-signed-out', form);

  // The form moves under the comment answered (after all of it, before its replies), or back
  // home (comment null).
  function placeForm(comment) {
    if (comment) {
      const item = find('#comment-' + comment.id);
      item.insertBefore(form, find(':scope > .comment-replies', item));
    } else {
      formHome.after(form);
    }
    fields.parent.value = comment ? comment.id : '';
    fields.parent.disabled = cancelReply.hidden = !comment;
    formHeading.textContent = comment ? 'Reply to ' + comment.author : 'Leave a comment';
    if (comment) commentBox.focus();
  }

  function formatNumber(number) {
    return number.toLocaleString('en-GB');
  }

  function countCharacters() {
    const left = maxLength - commentBox.value.length;
    const over = -left;
    counter.textContent = left < 0
      ? formatNumber(over) + (over > 1 ? ' characters' : ' character') +
        ' too many: a comment can be up to ' + formatNumber(maxLength) + ' characters.'
      : formatNumber(left) + ' of ' + formatNumber(maxLength) + ' characters left';
    counter.classList.toggle('comment-error', left < 0);
  }

  function showMember(user) {
    signedInUser = user;
    guestFields.hidden = guestFields.disabled = find('.comment-sign-in', form).hidden = Boolean(user);
    signedInLine.hidden = fields.author.required = fields.email.required = !user;
    if (user) find('strong', signedInLine).textContent = user.display_name;
    find('.comment-moderate', signedInLine).hidden = !user || user.role == 'member';
    if (providerSignedOut) providerSignedOut.hidden = true;
  }

  function postComment(data) {
    return callApi(threadPath, 'POST', data).then(answer => {
      if (!answer.ok) return showProblems(name => fields[name], answer, formStatus);
      const comment = answer.comment;
      const held = answer.status != 'approved';
      const parent = comment.parent && find('#comment-' + comment.parent, list);
      ownComments[comment.id] = {
        token: answer.edit_token,
        until: Date.parse(answer.editable_until),
        body: data.body,
        held: held && comment,
      };
      keepOwnComments();
      comment.pending = held;
      const item = commentItem(comment);
      placeForm(null);
      if (parent) {
        const replies = find(':scope > .comment-replies', parent) ||
          parent.appendChild(element('ol', 'comment-replies'));
        replies.append(item);
      } else {
        list.append(item);
      }
      if (!held) setCount(count + 1);
      commentBox.value = '';
      countCharacters();
      say(textOf(held ? '#comment-awaiting-moderation' : '#comment-published'));
      moveFocusTo(item);
    }, notAnswering);
  }

  // "an NHS number, a date of birth and a UK phone number", from the API's reasons.
  function listed(findings) {
    const things = findings.map(finding => finding.reason.replace(/^looks like /, ''));
    const last = things.pop();
    return things.length ? things.join(', ') + ' and ' + last : last;
  }

  // Fields the browser finds invalid, and a comment longer than the limit.
  function invalidFields() {
    return [...fields].filter(field => (field.willValidate && !field.validity.valid) ||
      (field == commentBox && field.value.length > maxLength));
  }

  function submitComment(event) {
    event.preventDefault();
    clearNotes(form);
    say('', false, formStatus);
    const data = Object.fromEntries(new FormData(form));
    const send = find('[type=submit]', form);
    const invalid = invalidFields();
    data.notify = Boolean(data.notify);
    if (!data.website) delete data.website;
    if (data.parent) data.parent = Number(data.parent);
    data.opened_at = openedAt;
    if (invalid.length) {
      const errors = invalid.map(field => ({
        field: field.name,
        message: field.dataset.error || field.validationMessage,
      }));
      showProblems(name => fields[name], {detail: 'Please correct the marked fields.', errors},
        formStatus);
      return;
    }
    send.disabled = true;
    // One warning about personal details; pressing again posts anyway.
    const check = warnedAboutPersonalData ? Promise.resolve({})
      : callApi('check-personal-data', 'POST', {body: data.body});
    check.catch(() => ({})).then(answer => {
      warnedAboutPersonalData = Boolean(answer.ok && answer.findings.length);
      if (!warnedAboutPersonalData) return postComment(data);
      const words = 'Part of your comment looks like ' + listed(answer.findings) +
        '. Take it out, or press Post comment again to send it as it is: it will then wait ' +
        'for a moderator.';
      addNote(commentBox, words, true);
      say(words, true);
      commentBox.focus();
    }).finally(() => {
      send.disabled = false;
    });
  }

  cancelReply.addEventListener('click', () => {
    placeForm(null);
    if (lastReplyButton) lastReplyButton.focus();
  });
  form.noValidate = true;
  form.before(formHome);
  form.addEventListener('keydown', event => {
    if (event.key == 'Escape' && fields.parent.value) cancelReply.click();
  });
  // A long paste is kept whole and counted, so the reader sees what to shorten.
  commentBox.removeAttribute('maxlength');
  commentBox.addEventListener('input', countCharacters);
  countCharacters();
  form.addEventListener('submit', submitComment);

  // Members: "Signed in as NAME · Sign out" instead of the name and e-mail fields.
  if (signedInLine) {
    find('button', signedInLine).addEventListener('click', () => {
      callApi('auth/logout', 'POST').then(answer => {
        if (!answer.ok) return showProblems(name => fields[name], answer, formStatus);
        const fromProvider = Boolean(signedInUser && signedInUser.signed_in_with_provider);
        showMember(null);
        if (providerSignedOut) providerSignedOut.hidden = !fromProvider;
        say(fromProvider
          ? 'You are signed out here. You may still be signed in to your organisation\'s account.'
          : 'You are signed out.');
        fields.author.focus();
      }, notAnswering);
    });
    fetch(api + 'auth/me', {credentials: 'include'})
      .then(response => response.json())
      .then(me => {
        if (me.signed_in) showMember(me.user);
      }, () => {});
  }
  loadThread();
})();
