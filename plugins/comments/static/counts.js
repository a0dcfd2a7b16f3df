/* Live comment counts on lists of posts: one request for every post the page shows.
   Without JavaScript, or when the API does not answer, the counts of the last build stay. */
(() => {
  const links = document.querySelectorAll('a[data-comments-thread]'),
    api = document.currentScript.dataset.api,
    threads = [...new Set([...links].map(link => link.dataset.commentsThread))].slice(0, 100);
  if (!threads.length) return;
  const query = new URLSearchParams(threads.map(thread => ['thread', thread]));
  fetch(api + '/api/v1/counts?' + query, {credentials: 'omit'})
    .then(answer => answer.ok ? answer.json() : Promise.reject())
    .then(({counts}) => {
      for (const link of links) {
        const count = counts[link.dataset.commentsThread];
        if (count >= 0) link.textContent = count + (count == 1 ? ' comment' : ' comments');
      }
    }, () => {});
})();
