// Embeds only: tell the parent page how tall this page is, in pym.js's message format, so the
// parent can size the iframe to fit (pym.js, or the few lines on embed.html). Without this script
// the iframe keeps the height of its embed code and the page scrolls inside it.
(function () {
  "use strict";
  if (window.parent === window) return;
  var id = new URLSearchParams(location.search).get("childId") || "";
  var sent = 0;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    window.parent.postMessage("pymxPYMx" + id + "xPYMxheightxPYMx" + height, "*");
  }
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener("load", send);
  window.addEventListener("resize", send);
  send();
})();
