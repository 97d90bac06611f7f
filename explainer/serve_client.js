// The live preview's side in the browser. `build.py serve` puts it first in the <head> of every
// page it serves; it is never part of the built site, and it fetches nothing but the page it is on.
//
// It listens on the preview's reload socket (livereload.js's protocol: hello, info, reload). When
// a save changed the site, it fetches the open page again and applies to it only what changed in
// its HTML, in place: the scroll position, open <details>, focus, typed text and what the page's
// scripts added stay; nothing else is fetched or parsed again; then each page script brings its
// additions up to date (it sets previewUpdate on its <script> element: see static/enhance.js).
// It reloads the whole page instead when that is not safe: the page's stylesheets, scripts or
// security policy changed, a script on it has no previewUpdate or moved the page's own nodes,
// the answer is an error page (the build failed, the page is gone) or no answer.
(function () {
  "use strict";
  var PROTOCOL = "http://livereload.com/protocols/official-7";
  var me = document.currentScript;
  var state = window.explainerPreview = {connected: false, updates: 0, timings: null};
  var delay = 1000;  // before connecting again after the socket closed (the preview stopped)
  var busy = false, again = false, connectedBefore = false;

  function now() {
    return performance.timeOrigin + performance.now();
  }

  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/livereload");
    function send(message) { socket.send(JSON.stringify(message)); }
    socket.onopen = function () {
      delay = 1000;
      send({command: "hello", protocols: [PROTOCOL]});
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.command === "hello") {
        send({command: "info", url: location.href, plugins: {}});
        state.connected = true;
        if (connectedBefore) update();  // the preview was restarted: the site may have changed
        connectedBefore = true;
      } else if (message.command === "reload") {
        if (message.full) location.reload();  // a search page's new index: its script must load again
        else update();
      }
    };
    socket.onclose = function () {
      state.connected = false;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }

  function update() {
    if (busy) {
      again = true;  // one more update once this one is done: the page changed again meanwhile
      return;
    }
    if (document.documentElement.hasAttribute("data-preview-error")) {
      location.reload();  // the preview's error page: what comes next is another page
      return;
    }
    busy = true;
    var times = {message: now()};
    fetch(location.href, {cache: "no-store", credentials: "same-origin"}).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || type.indexOf("text/html") !== 0) throw new Error("not a page");
      return response.text();
    }).then(function (html) {
      times.received = now();
      var next = new DOMParser().parseFromString(html, "text/html");
      var unsafe = whyNotInPlace(next);
      if (unsafe) throw new Error(unsafe);
      swap(next);
      times.updated = now();
      state.updates += 1;
      state.timings = times;
      requestAnimationFrame(function () { setTimeout(function () { times.painted = now(); }); });
      busy = false;
      if (again) {
        again = false;
        update();
      }
    }).catch(function (reason) {
      console.info("preview: reloading the page (" + reason.message + ")");
      location.reload();
    });
  }

  // ---------------------------------------------------------------- what the page's scripts added

  // The page as built: this script comes first in <head>, so it runs before the page's own
  // (deferred) scripts and sees the page as the preview sent it.
  var built = document.documentElement.cloneNode(true);
  var added = new WeakSet();  // nodes the page's scripts added (the roots of what they added)
  var moved = false;  // a script removed or moved a node of the page as built
  var watch = new MutationObserver(noteChanges);

  function byScript(node) {
    for (; node; node = node.parentNode) if (added.has(node)) return true;
    return false;
  }

  function noteChanges(records) {
    records.forEach(function (record) {
      if (record.type !== "childList") return;
      record.removedNodes.forEach(function (node) {
        if (!byScript(node) && !byScript(record.target)) moved = true;
      });
      record.addedNodes.forEach(function (node) { added.add(node); });
    });
  }

  function startWatching() {
    watch.observe(document, {childList: true, subtree: true});
  }

  // ---------------------------------------------------------------- is an in-place update safe?

  function isCode(script) {  // JSON-LD and other data blocks are content, not code
    return !script.type || script.type === "module" || /javascript|ecmascript/i.test(script.type);
  }

  function isMine(script) {
    return me !== null && script.src === me.src;
  }

  // What a page is made with beyond its content: scripts, stylesheets, the security policy.
  function assets(root) {
    var found = root.querySelectorAll("script, style, link[rel~='stylesheet'], meta[http-equiv], base");
    return Array.prototype.filter.call(found, function (el) { return el.nodeName !== "SCRIPT" || isCode(el); })
      .map(function (el) { return el.outerHTML; }).join("\n");
  }

  function whyNotInPlace(next) {  // "" when the page can be updated in place
    noteChanges(watch.takeRecords());
    var scriptsCanRedo = Array.prototype.every.call(document.scripts, function (script) {
      return !isCode(script) || isMine(script) || byScript(script) || typeof script.previewUpdate === "function";
    });
    if (assets(next.documentElement) !== assets(built)) return "its stylesheets or scripts changed";
    if (!scriptsCanRedo) return "a script on it has no previewUpdate";
    if (moved) return "a script on it moved the page's own elements";
    return "";
  }

  // ---------------------------------------------------------------- the update itself

  function swap(next) {
    var open = openDetails();
    var seen = inView();
    watch.disconnect();  // what the update adds is the page's own
    morph(document.documentElement, built, next.documentElement);
    built = next.documentElement;
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      if (open.has(detailsKey(details))) details.open = true;
    });
    startWatching();
    Array.prototype.forEach.call(document.scripts, function (script) {
      if (!isMine(script) && typeof script.previewUpdate === "function") script.previewUpdate();
    });
    keepInView(seen);
  }

  // What the reader is looking at: the element at the top of the window, and its ancestors.
  function inView() {
    var seen = [];
    var el = document.elementFromPoint(window.innerWidth / 2, 1);
    for (; el && el !== document.body && el !== document.documentElement; el = el.parentElement) {
      seen.push({node: el, id: el.id, top: el.getBoundingClientRect().top});
    }
    return seen;
  }

  // Scroll so that it stays where it was on screen, whatever changed above it.
  function keepInView(seen) {
    for (var i = 0; i < seen.length; i++) {
      var node = seen[i].node.isConnected ? seen[i].node : seen[i].id && document.getElementById(seen[i].id);
      if (node) {
        var shift = node.getBoundingClientRect().top - seen[i].top;
        if (shift) window.scrollBy(0, shift);
        return;
      }
    }
  }

  function detailsKey(details) {  // its id, or its place in the nearest element with an id
    if (details.id) return "#" + details.id;
    var owner = details.parentElement && details.parentElement.closest("[id]");
    var all = (owner || document).querySelectorAll("details");
    return (owner ? owner.id : "") + "/" + Array.prototype.indexOf.call(all, details);
  }

  function openDetails() {
    var open = new Set();
    document.querySelectorAll("details[open]").forEach(function (details) { open.add(detailsKey(details)); });
    return open;
  }

  function sameKind(a, b) {
    return a.nodeType === b.nodeType && a.nodeName === b.nodeName;
  }

  function ownChildren(live) {  // the live node's children that the page as built has too
    return Array.prototype.filter.call(live.childNodes, function (node) { return !added.has(node); });
  }

  // Change the live node as its built HTML changed from `was` to `next`, and nothing else: what
  // did not change is not touched (so the browser lays out and paints only what did), and what
  // the page's scripts added to it stays. Throws when the two do not line up (then: reload).
  function morph(live, was, next) {
    if (live.nodeType !== Node.ELEMENT_NODE) {
      if (was.nodeValue !== next.nodeValue) live.nodeValue = next.nodeValue;
      return;
    }
    attributes(live, was, next);
    var mine = ownChildren(live);
    var old = Array.prototype.slice.call(was.childNodes);
    var now = Array.prototype.slice.call(next.childNodes);
    if (mine.length !== old.length) throw new Error("the page does not line up with its HTML");
    var start = 0, oldEnd = old.length, nowEnd = now.length, i;
    while (start < oldEnd && start < nowEnd && old[start].isEqualNode(now[start])) start++;
    while (oldEnd > start && nowEnd > start && old[oldEnd - 1].isEqualNode(now[nowEnd - 1])) {
      oldEnd--;
      nowEnd--;
    }
    if (oldEnd - start === nowEnd - start) {  // as many children changed as there were: pair them
      for (i = start; i < oldEnd; i++) {
        if (sameKind(old[i], now[i])) morph(mine[i], old[i], now[i]);
        else live.replaceChild(document.importNode(now[i], true), mine[i]);
      }
      return;
    }
    for (i = start; i < oldEnd; i++) live.removeChild(mine[i]);
    var before = start > 0 ? mine[start - 1].nextSibling : live.firstChild;
    for (i = start; i < nowEnd; i++) live.insertBefore(document.importNode(now[i], true), before);
  }

  function attributes(live, was, next) {
    var keep = live.nodeName === "DETAILS" ? "open" : "";  // the reader opened or closed it
    Array.prototype.forEach.call(was.attributes, function (a) {
      if (a.name !== keep && !next.hasAttributeNS(a.namespaceURI, a.localName)) {
        live.removeAttributeNS(a.namespaceURI, a.localName);
      }
    });
    Array.prototype.forEach.call(next.attributes, function (a) {
      if (a.name !== keep && was.getAttributeNS(a.namespaceURI, a.localName) !== a.value) {
        live.setAttributeNS(a.namespaceURI, a.name, a.value);
      }
    });
  }

  startWatching();
  connect();
})();
