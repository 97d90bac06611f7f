// The live preview's side in the browser. `build.py serve` adds it to every page it serves; it is
// never part of the built site, and it fetches nothing but the page it is on.
//
// It listens on the preview's reload socket (livereload.js's protocol: hello, info, reload). When
// a save changed the site, it fetches the open page again and changes only what differs, in
// place: the scroll position, open <details>, focus and typed text stay, nothing else is fetched
// or parsed again, and the page scripts add their extras again (each sets previewUpdate on its
// <script> element: see static/enhance.js). It reloads the whole page instead when that is not
// safe: the page's stylesheets, scripts or security policy changed, a script on it cannot redo
// its work, the answer is an error page (the build failed, the page is gone) or no answer.
(function () {
  "use strict";
  var PROTOCOL = "http://livereload.com/protocols/official-7";
  var me = document.currentScript;
  var state = window.explainerPreview = {connected: false, updates: 0, timings: null};
  var delay = 1000;  // before connecting again after the socket closed (the preview stopped)
  var busy = false, again = false;

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
      } else if (message.command === "reload") {
        update();
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
    busy = true;
    var times = {message: now()};
    fetch(location.href, {cache: "no-store", credentials: "same-origin"}).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || type.indexOf("text/html") !== 0) throw new Error("not a page");
      return response.text();
    }).then(function (html) {
      times.received = now();
      var next = new DOMParser().parseFromString(html, "text/html");
      if (!swappable(next)) throw new Error("the page's stylesheets or scripts changed");
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
    }).catch(function () {
      location.reload();
    });
  }

  // ---------------------------------------------------------------- is an in-place update safe?

  function isCode(script) {  // JSON-LD and other data blocks are content, not code
    return !script.type || script.type === "module" || /javascript|ecmascript/i.test(script.type);
  }

  function isMine(script) {
    return me !== null && script.src === me.src;
  }

  // What a page is made with beyond its content: scripts, stylesheets, the security policy.
  function assets(doc) {
    var found = doc.querySelectorAll("script, style, link[rel~='stylesheet'], meta[http-equiv], base");
    return Array.prototype.filter.call(found, function (el) { return el.nodeName !== "SCRIPT" || isCode(el); })
      .map(function (el) { return el.outerHTML; }).join("\n");
  }

  function swappable(next) {
    var scriptsCanRedo = Array.prototype.every.call(document.scripts, function (script) {
      return !isCode(script) || isMine(script) || typeof script.previewUpdate === "function";
    });
    return scriptsCanRedo && assets(next) === assets(document);
  }

  // ---------------------------------------------------------------- the update itself

  function swap(next) {
    var open = openDetails();
    var seen = inView();
    morph(document.documentElement, next.documentElement);
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      if (open.has(detailsKey(details))) details.open = true;
    });
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

  // Scroll so that it stays where it was on screen, whatever changed above it. (Browsers' own
  // scroll anchoring loses its anchor when the page's scripts take their extras away and add them.)
  function keepInView(seen) {
    for (var i = 0; i < seen.length; i++) {
      var node = seen[i].node.isConnected ? seen[i].node : seen[i].id && document.getElementById(seen[i].id);
      if (node) {
        window.scrollBy(0, node.getBoundingClientRect().top - seen[i].top);
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

  // Make the live node like the new one, touching only what differs: the browser then lays out
  // and paints only that, and everything else (scroll anchoring, focus, form input) stays.
  function morph(live, next) {
    if (live.nodeType !== Node.ELEMENT_NODE) {
      if (live.nodeValue !== next.nodeValue) live.nodeValue = next.nodeValue;
      return;
    }
    attributes(live, next);
    var was = Array.prototype.slice.call(live.childNodes);
    var now = Array.prototype.slice.call(next.childNodes);
    var start = 0, wasEnd = was.length, nowEnd = now.length, i;
    while (start < wasEnd && start < nowEnd && was[start].isEqualNode(now[start])) start++;
    while (wasEnd > start && nowEnd > start && was[wasEnd - 1].isEqualNode(now[nowEnd - 1])) {
      wasEnd--;
      nowEnd--;
    }
    if (wasEnd - start === nowEnd - start) {  // as many children changed as there were: pair them
      for (i = start; i < wasEnd; i++) {
        if (sameKind(was[i], now[i])) morph(was[i], now[i]);
        else live.replaceChild(now[i], was[i]);
      }
      return;
    }
    var before = wasEnd < was.length ? was[wasEnd] : null;
    for (i = start; i < wasEnd; i++) live.removeChild(was[i]);
    for (i = start; i < nowEnd; i++) live.insertBefore(now[i], before);
  }

  function attributes(live, next) {
    var keep = live.nodeName === "DETAILS" ? "open" : "";  // the reader opened or closed it
    Array.prototype.slice.call(live.attributes).forEach(function (a) {
      if (a.name !== keep && !next.hasAttributeNS(a.namespaceURI, a.localName)) {
        live.removeAttributeNS(a.namespaceURI, a.localName);
      }
    });
    Array.prototype.forEach.call(next.attributes, function (a) {
      if (a.name !== keep && live.getAttributeNS(a.namespaceURI, a.localName) !== a.value) {
        live.setAttributeNS(a.namespaceURI, a.name, a.value);
      }
    });
  }

  connect();
})();
