// Optional extras, the page is complete without them: topic filters, "Copy link" buttons.
// The live preview changes pages in place, then calls previewUpdate (below): extras for new facts.
(function () {
  "use strict";
  var filters, facts, labels, copied, current = "";

  function make(tag, className, text) {
    var el = document.createElement(tag);
    el.className = className || "";
    el.textContent = text || "";
    return el;
  }

  function status(className) {
    var el = make("p", className);
    el.setAttribute("role", "status");
    return el;
  }

  function apply(topic) {
    current = topic;
    filters.forEach(function (box) {
      var items = box.parentNode.querySelectorAll("li[data-topics]");
      var shown = 0;
      box.querySelector("select").value = topic;
      items.forEach(function (li) {
        li.hidden = topic && li.dataset.topics.split(" ").indexOf(topic) < 0;
        if (!li.hidden) shown++;
      });
      box.lastChild.textContent = topic
        ? "Showing " + shown + " of " + items.length + " about " + labels[topic] + "." : "";
    });
  }

  function label(li) {  // topic id -> label, from the facts' topic names
    var names = li.querySelectorAll(".topic");
    li.dataset.topics.split(" ").forEach(function (id, i) {
      if (names[i]) labels[id] = names[i].textContent;
    });
  }

  function filter(box) {
    var label = make("label", "", "Show " + box.dataset.what + " about");
    var select = make("select");
    select.id = label.htmlFor = "filter-" + box.dataset.filter;
    select.add(new Option("all topics", ""));
    box.dataset.topics.split(" ").forEach(function (id) {
      if (labels[id]) select.add(new Option(labels[id], id));
    });
    select.addEventListener("change", function () { apply(select.value); });
    box.replaceChildren(label, select, status("filter-status"));
    box.hidden = false;
  }

  function copy(fact) {
    var button = fact.querySelector(".copy");
    var number = function () { return fact.querySelector(".num").textContent; };
    if (!button) {
      button = make("button", "copy", "Copy link");
      button.type = "button";
      button.addEventListener("click", function () {
        var url = location.href.split("#")[0] + "#" + fact.id;
        var done = function () { copied.textContent = "Link to fact " + number() + " copied."; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(url).then(done, function () { location.hash = fact.id; });
        } else {
          location.hash = fact.id;  // no clipboard (plain http): the link is in the address bar
        }
      });
      fact.querySelector(".meta").append(button);
    }
    button.ariaLabel = "Copy link to fact " + number();
  }

  function enhance() {
    filters = document.querySelectorAll("[data-filter]");
    facts = document.querySelectorAll("li.fact");
    labels = {};
    facts.forEach(label);
    filters.forEach(filter);
    apply(labels[current] ? current : "");
    if (!copied) document.body.append(copied = status("vh"));
    facts.forEach(copy);
  }

  // A link to a fact the filter hides shows everything again.
  window.addEventListener("hashchange", function () {
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.hidden) {
      apply("");
      target.scrollIntoView();
    }
    if (target && target.classList.contains("fact")) target.focus();
  });
  enhance();
  if (document.currentScript) document.currentScript.previewUpdate = enhance;
})();
