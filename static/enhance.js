// Progressive enhancement only: the page is complete without it.
// 1. Topic filters for the timeline and the fact list (kept in step with each other).
// 2. A "Copy link" button on each fact.
(function () {
  "use strict";
  var filters = document.querySelectorAll("[data-filter]");

  function apply(topic) {
    filters.forEach(function (box) {
      var select = box.querySelector("select");
      var items = box.parentNode.querySelectorAll("li[data-topics]");
      var shown = 0;
      select.value = topic;
      items.forEach(function (li) {
        var keep = !topic || li.dataset.topics.split(" ").indexOf(topic) >= 0;
        li.hidden = !keep;
        if (keep) shown++;
      });
      box.querySelector("[role=status]").textContent = topic
        ? "Showing " + shown + " of " + items.length + " about " + select.selectedOptions[0].text + "."
        : "";
    });
  }

  filters.forEach(function (box) {
    box.hidden = false;
    box.querySelector("select").addEventListener("change", function (event) {
      apply(event.target.value);
    });
  });

  // A link to a hidden fact shows everything again, so the reader never lands on nothing.
  window.addEventListener("hashchange", function () {
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.hidden) {
      apply("");
      target.scrollIntoView();
    }
    if (target && target.classList.contains("fact")) target.focus();
  });

  var status = document.createElement("p");
  status.className = "vh";
  status.setAttribute("role", "status");
  document.body.appendChild(status);

  document.querySelectorAll("li.fact").forEach(function (fact) {
    var button = document.createElement("button");
    var number = fact.querySelector(".num").textContent;
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy link";
    button.setAttribute("aria-label", "Copy link to fact " + number);
    button.addEventListener("click", function () {
      var url = location.href.split("#")[0] + "#" + fact.id;
      var done = function () { status.textContent = "Link to fact " + number + " copied."; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(done, function () { location.hash = fact.id; });
      } else {
        location.hash = fact.id;  // no clipboard (plain http): the address bar now holds the link
      }
    });
    fact.querySelector(".meta").appendChild(button);
  });
})();
