// The search page. Pagefind's search library (pagefind.js, written into the site by the
// search plugin) is loaded only when the reader first types or arrives with a query
// (search.html?q=…), and each search fetches only the parts of the index its words need:
// no index is fetched while a word is half typed. Results show each post's title, date,
// category and an excerpt with the words found highlighted, five at a time; the category and
// author filters list the values the words were found under, each with its number of posts.
"use strict";

const RESULTS_PER_PAGE = 5;
const TYPING_PAUSE_MS = 300;

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("search");
  const form = root.querySelector("form");
  const input = document.getElementById("search-words");
  const message = document.getElementById("search-message");
  const filtersBox = document.getElementById("search-filters");
  const resultsList = document.getElementById("search-results");
  const moreButton = document.getElementById("search-more");

  let pagefindLoading = null;
  let currentResults = [];
  let shownCount = 0;
  let searchNumber = 0;
  const chosenFilters = { category: new Set(), author: new Set() };

  function loadPagefind() {
    if (!pagefindLoading) {
      pagefindLoading = import(root.dataset.bundle).then(async (pagefind) => {
        await pagefind.options({ baseUrl: root.dataset.baseUrl, excerptLength: 30 });
        await pagefind.init();
        // The filters' own files (a few KB): without them a search counts no filter value.
        await pagefind.filters();
        return pagefind;
      });
    }
    return pagefindLoading;
  }

  function filtersForSearch() {
    const filters = {};
    for (const [name, values] of Object.entries(chosenFilters)) {
      if (values.size) {
        filters[name] = { any: [...values] };
      }
    }
    return filters;
  }

  // Run the search for what the box holds now. Calls made while an earlier one is still
  // running win: only the newest search writes to the page.
  async function runSearch() {
    const words = input.value.trim();
    const number = ++searchNumber;
    const address = new URL(window.location.href);
    if (words) {
      address.searchParams.set("q", words);
    } else {
      address.searchParams.delete("q");
    }
    window.history.replaceState(null, "", address);
    if (!words) {
      showResults(words, [], null);
      return;
    }
    let search;
    try {
      const pagefind = await loadPagefind();
      search = await pagefind.search(words, { filters: filtersForSearch() });
    } catch (error) {
      if (number === searchNumber) {
        message.textContent =
          "The search could not load. Try again in a moment, or browse the archives.";
      }
      return;
    }
    if (number === searchNumber) {
      showResults(words, search.results, search.totalFilters);
    }
  }

  function showResults(words, results, filterCounts) {
    currentResults = results;
    shownCount = 0;
    resultsList.replaceChildren();
    if (!words) {
      message.textContent = "";
      filtersBox.hidden = true;
      moreButton.hidden = true;
      return;
    }
    const count = results.length;
    message.textContent = `${count} ${count === 1 ? "result" : "results"} for ${words}`;
    showFilters(filterCounts);
    showMore();
  }

  function showFilters(filterCounts) {
    // A reader who just ticked a box keeps their place when the boxes are written again.
    const focused = filtersBox.contains(document.activeElement) ? document.activeElement : null;
    const focusedKey = focused && focused.dataset.key;
    for (const fieldset of filtersBox.querySelectorAll("fieldset")) {
      const name = fieldset.dataset.filter;
      const counts = (filterCounts && filterCounts[name]) || {};
      const choices = fieldset.querySelector(".search-choices");
      choices.replaceChildren();
      const values = Object.keys(counts)
        .filter((value) => counts[value] > 0 || chosenFilters[name].has(value))
        .sort((a, b) => a.localeCompare(b));
      for (const value of values) {
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.dataset.key = `${name}:${value}`;
        box.checked = chosenFilters[name].has(value);
        box.addEventListener("change", () => {
          if (box.checked) {
            chosenFilters[name].add(value);
          } else {
            chosenFilters[name].delete(value);
          }
          runSearch();
        });
        label.append(box, `${value} (${counts[value] || 0})`);
        choices.append(label);
      }
      fieldset.hidden = values.length === 0;
    }
    filtersBox.hidden = !filtersBox.querySelector("fieldset:not([hidden])");
    if (focusedKey) {
      const again = [...filtersBox.querySelectorAll("input")].find(
        (box) => box.dataset.key === focusedKey,
      );
      again?.focus();
    }
  }

  async function showMore() {
    const number = searchNumber;
    const next = currentResults.slice(shownCount, shownCount + RESULTS_PER_PAGE);
    shownCount += next.length;
    moreButton.hidden = shownCount >= currentResults.length;
    const pages = await Promise.all(next.map((result) => result.data()));
    if (number !== searchNumber) {
      return;
    }
    for (const page of pages) {
      resultsList.append(resultItem(page));
    }
  }

  function resultItem(page) {
    const item = document.createElement("li");
    item.className = "search-result";
    const heading = document.createElement("h2");
    const link = document.createElement("a");
    link.href = page.url;
    link.textContent = page.meta.title;
    heading.append(link);
    const details = document.createElement("p");
    details.className = "search-result-meta";
    details.textContent = [page.meta.date, page.meta.category].filter(Boolean).join(" · ");
    const excerpt = document.createElement("p");
    excerpt.className = "search-result-excerpt";
    // Pagefind writes the excerpt from the page's own text, escaped, with the words found
    // wrapped in <mark>.
    excerpt.innerHTML = page.excerpt;
    item.append(heading, details, excerpt);
    return item;
  }

  let typingPause = null;
  input.addEventListener("input", () => {
    clearTimeout(typingPause);
    typingPause = setTimeout(runSearch, TYPING_PAUSE_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typingPause);
    runSearch();
  });
  moreButton.addEventListener("click", () => {
    const firstNew = shownCount;
    showMore().then(() => {
      const link = resultsList.children[firstNew]?.querySelector("a");
      link?.focus();
    });
  });

  document.getElementById("search-needs-javascript").hidden = true;
  root.hidden = false;
  const asked = new URL(window.location.href).searchParams.get("q");
  if (asked) {
    input.value = asked;
    runSearch();
  }
});
