// search.html only: answer the search form from Pagefind's static index (pagefind/), loaded on the
// first search, never before. Results link to each fact's, event's or glossary entry's anchor.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  var input = form.querySelector("input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var MAX = 20;
  var pagefind = null;
  document.getElementById("search-nojs").hidden = true;

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

  function show(items, total, query) {
    list.replaceChildren();
    items.forEach(function (data) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      var kind = document.createElement("p");
      link.href = data.url;
      link.textContent = data.meta.title;
      kind.className = "meta";
      kind.textContent = data.meta.kind;
      var heading = document.createElement("h2");
      heading.append(link);
      li.append(heading, kind, excerpt(data.excerpt));
      list.append(li);
    });
    status.textContent = say(total ? form.dataset.found : form.dataset.none,
                             {n: total, q: query, shown: items.length});
  }

  function search(query) {
    query = query.trim();
    if (!query) return;
    status.textContent = form.dataset.searching;
    load().then(function (pf) { return pf.search(query); }).then(function (found) {
      return Promise.all(found.results.slice(0, MAX).map(function (r) { return r.data(); }))
        .then(function (items) { show(items, found.results.length, query); });
    }).catch(function () { status.textContent = form.dataset.failed; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    search(input.value);
  });
  var given = new URLSearchParams(location.search).get("q");
  if (given) {
    input.value = given;
    search(given);
  }
})();
