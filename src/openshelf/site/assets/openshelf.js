/* OpenShelf reader features: facet filters (state kept in the URL), a language switch that
 * keeps the reader on the same page, and offline use through a service worker.
 * Progressive: without JavaScript every entry is listed and both languages are shown. */
(function () {
  "use strict";

  var FACETS = ["member", "category", "access", "status", "language", "tag"];
  var LANG_KEY = "openshelf.lang";

  function siteBase() {
    var config = document.getElementById("__config");
    try {
      /* "." on most pages, "/" on the 404 page (served at any depth): one slash after it, not "//" (another host) */
      return new URL(JSON.parse(config.textContent).base.replace(/\/?$/, "/"), location.href).href;
    } catch (e) {
      return new URL("./", location.href).href;
    }
  }

  /* ---- Filters ---------------------------------------------------------------------- */

  function readState(form) {
    var state = {};
    FACETS.forEach(function (facet) {
      var values = [];
      form.querySelectorAll('input[name="' + facet + '"]:checked').forEach(function (box) { values.push(box.value); });
      var select = form.querySelector('select[name="' + facet + '"]');
      if (select && select.value) values.push(select.value);
      if (values.length) state[facet] = values;
    });
    return state;
  }

  function writeState(form, params) {
    FACETS.forEach(function (facet) {
      var wanted = (params.get(facet) || "").split(",").filter(Boolean);
      form.querySelectorAll('input[name="' + facet + '"]').forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
      var select = form.querySelector('select[name="' + facet + '"]');
      if (select) select.value = wanted[0] || "";
    });
  }

  function matches(entry, state) {
    return Object.keys(state).every(function (facet) {
      var have = (entry.getAttribute("data-" + facet) || "").split(" ");
      return state[facet].some(function (value) { return have.indexOf(value) >= 0; });
    });
  }

  function apply(form, updateUrl) {
    var state = readState(form);
    var entries = document.querySelectorAll(".os-entry");
    var shown = 0;
    entries.forEach(function (entry) {
      var ok = matches(entry, state);
      entry.hidden = !ok;
      if (ok) shown++;
    });
    document.querySelectorAll(".os-category").forEach(function (section) {
      section.hidden = !section.querySelector(".os-entry:not([hidden])");
    });
    var active = Object.keys(state).reduce(function (n, facet) { return n + state[facet].length; }, 0);
    var count = document.querySelector(".os-filter-count");
    if (count) count.textContent = edition() === "zh" ? "（" + active + "）" : " (" + active + ")";
    var status = form.querySelector(".os-filter-status");
    if (status) {
      var zh = "显示 " + shown + " / " + entries.length + " 条", en = "Showing " + shown + " of " + entries.length;
      status.textContent = edition() === "zh" ? zh : edition() === "en" ? en : zh + " · " + en;
    }
    if (updateUrl) {
      var url = new URL(location.href);
      FACETS.forEach(function (facet) {
        if (state[facet]) url.searchParams.set(facet, state[facet].join(","));
        else url.searchParams.delete(facet);
      });
      history.replaceState(history.state, "", url.pathname + url.search + url.hash);
    }
  }

  function setUpFilters() {
    var form = document.querySelector("form.os-filters");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    form.hidden = false;
    var box = form.closest(".os-filter-box");
    if (box) box.hidden = false;
    writeState(form, new URLSearchParams(location.search));
    if (box && Object.keys(readState(form)).length) box.open = true;  /* a shared URL with filters shows them */
    form.addEventListener("change", function () { apply(form, true); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(form, true); }, 0); });
    apply(form, false);
  }

  /* ---- An entry's details open on its own anchor (#id, from search, the A-Z page or a shared link) ---- */

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var entry = target && target.closest(".os-entry");
    var details = entry && entry.querySelector(".os-details");
    if (!details || target.id.indexOf("letter-") === 0) return;
    if (!details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }

  /* ---- Tables too wide for a phone: each row a small block, the column names beside the values ---- */

  var PHONE = window.matchMedia("screen and (max-width: 44.9375em)");  /* as openshelf.css */

  function stackTables() {
    document.querySelectorAll("article table:not([class])").forEach(function (table) {
      var names = [].map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      [].forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        [].forEach.call(row.cells, function (cell, i) { if (names[i]) cell.setAttribute("data-label", names[i]); });
      });
      table.removeAttribute("data-os-stack");  /* measured as a table: only one that does not fit is stacked */
      var box = table.closest(".md-typeset__scrollwrap") || table;
      if (PHONE.matches && box.scrollWidth > box.clientWidth + 1) table.setAttribute("data-os-stack", "");
    });
  }

  /* ---- The 404 page: the main edition's is served for a missing address in every edition ---- */

  function chooseNotFound() {
    var blocks = document.querySelectorAll(".os-not-found");
    if (blocks.length < 2) return;
    var path = decodeURI(location.pathname), chosen = blocks[0];
    [].forEach.call(blocks, function (block) {
      var root = block.getAttribute("data-os-root");
      if (root && path.indexOf(root) === 0) chosen = block;  /* an address in that edition (/en/…) */
    });
    [].forEach.call(blocks, function (block) { block.hidden = block !== chosen; });
    if (chosen.lang) {
      document.documentElement.lang = chosen.lang;
      document.title = chosen.querySelector("h1").textContent;
    }
  }

  /* ---- Language switch -------------------------------------------------------------- */
  /* ---- Editions (a site per language) ----------------------------------------------- */

  var EDITION_KEY = "openshelf.edition";

  /* This page in each edition, from the page's head (Material's instant navigation keeps it up to
   * date): <meta name="openshelf-alternate" content="en /en/databases/">; none on the bilingual site. */
  function alternates() {
    var out = {};
    document.querySelectorAll('meta[name="openshelf-alternate"]').forEach(function (meta) {
      var parts = meta.content.split(" ");
      out[parts[0]] = new URL(parts[1], location.href).href;
    });
    return out;
  }

  /* The language of this edition, or "" on the bilingual site. */
  function edition() {
    var meta = document.querySelector('meta[name="openshelf-edition"]');
    return meta ? meta.content : "";
  }

  /* Material's language selector: to this page in the other edition, at the same entry. */
  function setUpEditionSwitch() {
    var pages = alternates();
    document.querySelectorAll(".md-select__link[hreflang]").forEach(function (link) {
      var lang = link.getAttribute("hreflang");
      if (pages[lang]) link.href = pages[lang];
      link.setAttribute("lang", lang);
      if (link.dataset.osBound) return;
      link.dataset.osBound = "1";
      link.addEventListener("click", function (event) {
        try { localStorage.setItem(EDITION_KEY, lang); } catch (e) { /* private mode */ }
        var target = new URL(alternates()[lang] || link.href, location.href);
        target.hash = location.hash;
        link.href = target.href;
        /* the browser follows the link: Material's own handler would look the page up in a sitemap
         * next to it (there is one per edition, at its root) and, not finding it, open the edition's root */
        event.stopPropagation();
      }, true);
    });
  }

  /* On the main edition's home page, a first-time reader goes to the edition of their browser's
   * language; one who chose an edition, or came from another page of the site, stays. */
  function chooseEdition() {
    if (!document.querySelector('meta[name="openshelf-choose-edition"]')) return false;
    var chosen = null;
    try { chosen = localStorage.getItem(EDITION_KEY); } catch (e) { /* private mode */ }
    var pages = alternates();
    if (chosen && pages[chosen]) return false;
    if (document.referrer && new URL(document.referrer).origin === location.origin) return false;
    var wanted = (navigator.languages || [navigator.language || ""]).map(function (l) { return l.slice(0, 2).toLowerCase(); });
    for (var i = 0; i < wanted.length; i++) {
      if (pages[wanted[i]]) {
        if (wanted[i] === edition()) return false;
        location.replace(pages[wanted[i]]);
        return true;
      }
    }
    return false;
  }

  /* ---- Language switch (the bilingual site) ----------------------------------------- */

  function currentLang() {
    var fromUrl = new URLSearchParams(location.search).get("lang");
    if (fromUrl === "zh" || fromUrl === "en" || fromUrl === "both") return fromUrl;
    try { return localStorage.getItem(LANG_KEY) || "both"; } catch (e) { return "both"; }
  }

  function setLang(lang) {
    document.documentElement.setAttribute("data-os-lang", lang);
    try { localStorage.setItem(LANG_KEY, lang); } catch (e) { /* private mode */ }
    document.querySelectorAll(".os-lang button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-lang") === lang));
    });
  }

  function setUpLanguageSwitch() {
    if (edition()) return;  /* a site per language: Material's language selector */
    setLang(currentLang());
    var header = document.querySelector(".md-header__inner");
    if (!header || header.querySelector(".os-lang")) return;
    var group = document.createElement("div");
    group.className = "os-lang";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "语言 Language");
    [["zh", "中文", "只显示中文"], ["en", "EN", "English only"], ["both", "中/EN", "双语 · Both languages"]].forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("data-lang", item[0]);
      button.setAttribute("lang", item[0] === "en" ? "en" : "zh");
      button.textContent = item[1];
      button.title = item[2];
      button.setAttribute("aria-pressed", String(currentLang() === item[0]));
      button.addEventListener("click", function () { setLang(item[0]); });
      group.appendChild(button);
    });
    var search = header.querySelector(".md-search");
    header.insertBefore(group, search || null);
  }

  /* ---- Offline ---------------------------------------------------------------------- */

  function setUpOffline() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    var root = document.querySelector('meta[name="openshelf-root"]');  /* an edition under the main one: the site's worker */
    var base = root ? new URL(root.content, location.href).href : siteBase();
    navigator.serviceWorker.register(base + "sw.js", { scope: base }).catch(function () { /* offline use is optional */ });
  }

  function nameSearchDialog() {
    /* Material's search overlay has role=dialog but no accessible name. */
    var dialog = document.querySelector('.md-search[role="dialog"]');
    var label = { zh: "搜索", en: "Search" }[edition()] || "搜索 Search";
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", label);
  }

  function setUpAnnouncement() {
    /* On a phone the bar shows two lines (openshelf.css); a tap shows the rest. */
    var bar = document.querySelector(".md-banner .os-announcement");
    if (!bar || bar.dataset.ready) return;
    bar.dataset.ready = "1";
    bar.addEventListener("click", function () { bar.classList.toggle("os-open"); });
  }

  function setUp() {
    setUpEditionSwitch();
    nameSearchDialog();
    setUpAnnouncement();
    setUpLanguageSwitch();
    setUpFilters();
    stackTables();
    chooseNotFound();
    openTarget();
  }

  if (chooseEdition()) return;  /* on its way to another edition, whose page sets itself up */
  window.addEventListener("hashchange", openTarget);
  if (PHONE.addEventListener) PHONE.addEventListener("change", stackTables);  /* a phone turned sideways and back */
  if (!edition()) setLang(currentLang());
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setUp);  /* Material's instant navigation swaps pages without a reload */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
  setUpOffline();
})();
