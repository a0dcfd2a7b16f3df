// The search page: Pagefind's interface (pagefind-ui.js, loaded before this file) in the
// #search element; once it runs, the message for readers without JavaScript goes. Results
// show each post's title, date, category and an excerpt with the words found highlighted;
// the filters are the post's category and authors, as the article template marks them.
document.addEventListener("DOMContentLoaded", () => {
  const searchBox = document.getElementById("search");
  new PagefindUI({
    element: searchBox,
    // Result addresses are relative to the site's root, which may be a sub-folder.
    baseUrl: searchBox.dataset.baseUrl,
    showImages: false,
    showSubResults: false,
    excerptLength: 30,
    resetStyles: false,
    translations: { placeholder: "Search the posts" },
  });
  document.getElementById("search-needs-javascript").hidden = true;
});
