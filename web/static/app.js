/* baogao: small enhancements; every page works without this file.
   - "复制引用" buttons copy their data-citation text (navigator.clipboard, with a fallback)
   - the reader's hit bar moves to the previous / next hit (also keys n / p)
   - long facet lists are shortened with a "show all" link; on a wide screen the facet toggle starts open */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy") ? resolve() : reject(new Error("copy failed")); }
      catch (e) { reject(e); }
      finally { document.body.removeChild(area); }
    });
  }

  function setupCitations() {
    var buttons = document.querySelectorAll("button.copy-cite");
    buttons.forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        var label = b.textContent;
        copyText(b.getAttribute("data-citation") || "").then(function () {
          b.textContent = "已复制";
          b.classList.add("copied");
        }, function () {
          b.textContent = "复制失败，请展开“引用格式”手动复制";
        }).then(function () {
          setTimeout(function () { b.textContent = label; b.classList.remove("copied"); }, 2000);
        });
      });
    });
  }

  function setupHitNav() {
    var hits = Array.prototype.slice.call(document.querySelectorAll(".para.hit"));
    var nav = document.querySelector(".hitnav");
    if (!hits.length || !nav) { return; }
    nav.hidden = false;
    var pos = nav.querySelector(".hitpos");
    var current = -1;
    var m = /^#(?:hit-(\d+)|p-([0-9a-f]+))$/.exec(location.hash);
    if (m) {
      hits.forEach(function (h, i) {
        if ((m[1] && h.getAttribute("data-hit") === m[1]) || (m[2] && h.id === "p-" + m[2])) { current = i; }
      });
    }
    function show(i) {
      if (current >= 0) { hits[current].classList.remove("current"); }
      current = (i + hits.length) % hits.length;
      var h = hits[current];
      h.classList.add("current");
      h.scrollIntoView({ block: "center" });
      if (history.replaceState) { history.replaceState(null, "", "#" + h.id); }
      pos.textContent = "第 " + (current + 1) + " / " + hits.length + " 处";
    }
    if (current >= 0) {
      hits[current].classList.add("current");
      pos.textContent = "第 " + (current + 1) + " / " + hits.length + " 处";
    }
    nav.querySelectorAll("button[data-hitnav]").forEach(function (b) {
      b.addEventListener("click", function () {
        var step = parseInt(b.getAttribute("data-hitnav"), 10);
        show(current < 0 ? (step > 0 ? 0 : hits.length - 1) : current + step);
      });
    });
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.ctrlKey || e.metaKey || e.altKey || (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA"))) { return; }
      if (e.key === "n" || e.key === "j") { show(current + 1); }
      else if (e.key === "p" || e.key === "k") { show(current < 0 ? hits.length - 1 : current - 1); }
    });
  }

  // the facet and contents toggles are shown open on a wide screen (CSS does it where ::details-content exists)
  function openOnWideScreens() {
    if (!window.matchMedia || !window.matchMedia("(min-width: 821px)").matches) { return; }
    document.querySelectorAll("details.facet-toggle, details.toc-toggle").forEach(function (d) { d.open = true; });
  }

  function setupFacets() {
    var aside = document.querySelector(".facets");
    if (!aside) { return; }
    aside.classList.add("collapsed");
    aside.querySelectorAll("a.toggle-extra").forEach(function (a) {
      a.hidden = false;
      a.addEventListener("click", function (e) {
        e.preventDefault();
        a.closest(".facet").querySelectorAll("li.extra").forEach(function (li) { li.classList.remove("extra"); });
        a.parentNode.hidden = true;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCitations();
    setupHitNav();
    setupFacets();
    openOnWideScreens();
  });
})();
