// Optional extras, the page is whole without them: topic filters, "Copy link" buttons.
// previewUpdate (below): the live preview calls it after changing the page in place.
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
  el.role = "status";
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

function label(li) {  // topic id -> label, from the facts' topics
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

// A link to a fact the filter hides shows all: on click (a link to the current
// address fires no hashchange) and on hashchange (Back, a typed address).
function show(hash) {
  var target = document.getElementById(hash.slice(1));
  if (target && target.hidden) {
    apply("");
    target.scrollIntoView();
  }
  if (target && target.classList.contains("fact")) target.focus();
}
addEventListener("hashchange", function () { show(location.hash); });
document.addEventListener("click", function (e) {
  var a = e.target.closest("a[href^='#']");
  if (a) show(a.hash);
});
enhance();
if (document.currentScript) document.currentScript.previewUpdate = enhance;
})();
