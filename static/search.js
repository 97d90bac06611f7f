// search.html only: answer the search form from Pagefind's static index (pagefind/), loaded on the
// first search, never before. Results link to each fact's, event's or glossary entry's anchor.
// The live preview changes a page in place, then calls previewUpdate (below): start again.
(function () {
  "use strict";
  var PAGES = 5;  // fetch the matching items of the five best pages (one index fragment each)
  var MAX = 50;  // and list at most this many
  var pagefind = null;
  var form, input, status, list;

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function load() {  // the index's script, imported the first time a reader searches
    if (!pagefind) pagefind = import(new URL(form.dataset.pagefind, document.baseURI).href);
    return pagefind;
  }

  function excerpt(html) {  // Pagefind's excerpt: keep its text and <mark>s, nothing else
    var tpl = document.createElement("template");
    var p = document.createElement("p");
    tpl.innerHTML = html;
    tpl.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.append(mark);
      } else {
        p.append(node.textContent);
      }
    });
    return p;
  }

  function target(url) {  // "/0003.html#facts-2024-08.html#sbu-102" → the item's own address
    return new URL(url.slice(url.indexOf("#") + 1), document.baseURI).href;
  }

  function show(items, query) {
    list.replaceChildren();
    items.slice(0, MAX).forEach(function (item) {
      var li = document.createElement("li");
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = target(item.url);
      link.textContent = item.title;
      heading.append(link);
      li.append(heading, excerpt(item.excerpt));
      list.append(li);
    });
    status.textContent = say(items.length ? form.dataset.found : form.dataset.none,
                             {n: items.length, q: query, shown: Math.min(items.length, MAX)});
  }

  function search(query) {
    query = query.trim();
    if (!query) return;
    status.textContent = form.dataset.searching;
    load().then(function (pf) { return pf.search(query); }).then(function (found) {
      // Each Pagefind result is a page of the site; its sub-results are the matching items.
      return Promise.all(found.results.slice(0, PAGES).map(function (r) { return r.data(); }))
        .then(function (pages) {
          var items = [];
          pages.forEach(function (page) {
            page.sub_results.forEach(function (sub) { if (sub.url.indexOf("#") >= 0) items.push(sub); });
          });
          show(items, query);
        });
    }).catch(function () { status.textContent = form.dataset.failed; });
  }

  function submit(event) {
    event.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    search(input.value);
  }

  function start() {
    form = document.getElementById("search-form");
    if (!form) return;
    input = form.querySelector("input");
    status = document.getElementById("search-status");
    list = document.getElementById("search-results");
    document.getElementById("search-nojs").hidden = true;
    form.addEventListener("submit", submit);  // once: the same listener again is no second one
    var given = new URLSearchParams(location.search).get("q");
    if (given) {
      input.value = given;
      search(given);
    }
  }

  start();
  if (document.currentScript) document.currentScript.previewUpdate = start;
})();
