// OpenShelf search: Material's search box and result list, Pagefind's index behind them.
// Pagefind (pagefind/pagefind.js, written by every build) fetches only the index fragments a
// query needs, so nothing is downloaded until the reader focuses the search box.  Each entry is
// its own record whose address is the entry's anchor (databases/#cnki): results lead to the entry.
// Chinese is indexed character by character (pagefind.py, which holds the same class of
// characters as HAN below): the query's Chinese characters go to Pagefind apart, and a result
// must hold each run of them in one piece (Pagefind's exact-phrase search), so 疫情 finds every
// entry that says 疫情, wherever a dictionary would cut the text, and no entry that does not.
// A consortium's (or any guide with sources') records carry a "member" filter: a select above the
// results narrows the search to the entries one member lists, and each result names its members.
// No inline script or handler (the site's Content-Security-Policy forbids them); no request
// leaves the site.
(function () {
  "use strict";
  var form = document.querySelector("form[name=openshelf-search]");
  if (!form || form.dataset.osBound) return;  // Zensical's own search, or already wired
  form.dataset.osBound = "1";
  var input = form.querySelector("input.md-search__input");
  var meta = document.querySelector(".md-search-result__meta");
  var list = document.querySelector(".md-search-result__list");
  var toggle = document.getElementById("__search");
  var PAGE = 10;
  var HAN = /[\u3005\u3007\u3021-\u3029\u3038-\u303B\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{323AF}]/gu;
  var HAN_RUN = new RegExp(HAN.source + "{2,}", "gu");

  var config = {};
  try { config = JSON.parse(document.getElementById("__config").textContent); } catch (e) { /* Material's defaults */ }
  var t = config.translations || {};
  var root = new URL((config.base || ".").replace(/\/?$/, "/"), location.href);

  var engine = null;
  function load() {
    if (!engine) {
      var bundle = new URL("pagefind/", root);
      // A large guide's index comes in parts (pagefind.py: bounded memory while it is built); the
      // bundle lists the further ones, and Pagefind searches them all as one (mergeIndex).
      // (the build's stamp in its address, as Pagefind's own metaCacheTag: no cached list of an older build)
      var listing = new URL("openshelf-parts.json", bundle);
      if (form.dataset.build) listing.search = "?" + encodeURIComponent(form.dataset.build);
      var parts = fetch(listing.href)
        .then(function (response) { return response.ok ? response.json() : { parts: [] }; })
        .then(function (listed) { return Array.isArray(listed.parts) ? listed.parts : []; })
        .catch(function () { return []; });
      engine = Promise.all([import(new URL("pagefind.js", bundle).href), parts]).then(function (loaded) {
        var pagefind = loaded[0];
        // metaCacheTag: the entry file's address names this build (Pagefind's default, the time
        // of the request, would miss the offline copy every time)
        var options = { excerptLength: 24 };
        if (form.dataset.build) options.metaCacheTag = form.dataset.build;
        return pagefind.options(options).then(function () { return pagefind.init(); }).then(function () {
          return Promise.all(loaded[1].map(function (part) {
            return pagefind.mergeIndex(new URL(part, bundle).href, Object.assign({}, options));
          }));
        }).then(function () { memberFilter(pagefind); return pagefind; });
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  function apart(text) { return text.replace(HAN, " $& ").replace(/\s+/g, " ").trim(); }

  // An interface label in the edition's language (<meta name="openshelf-edition">), both on the bilingual site.
  function label(zh, en) {
    var meta = document.querySelector('meta[name="openshelf-edition"]');
    var edition = meta ? meta.content : "";
    return edition === "zh" ? zh : edition === "en" ? en : zh + " · " + en;
  }

  // The member filter: shown when the index has entries of two members or more.
  var member = null;
  function memberFilter(pagefind) {
    if (member !== null) return;
    member = false;
    pagefind.filters().then(function (filters) {
      // in the order of the collection pages' member filter (the form's data-members), any other after them
      var order = [];
      try { order = JSON.parse(form.dataset.members || "[]"); } catch (e) { /* no order: by name */ }
      function rank(name) { var i = order.indexOf(name); return i < 0 ? order.length : i; }
      var names = Object.keys((filters && filters.member) || {}).sort().sort(function (a, b) { return rank(a) - rank(b); });
      if (names.length < 2) return;
      member = document.createElement("select");
      member.className = "os-search-member";
      member.setAttribute("aria-label", label("按成员筛选", "Filter by member"));
      [["", label("全部成员", "All members")]].concat(names.map(function (n) { return [n, n]; })).forEach(function (item) {
        var option = document.createElement("option");
        option.value = item[0];
        option.textContent = item[1];
        member.appendChild(option);
      });
      member.addEventListener("change", function () { asked = null; run(); });
      meta.parentNode.insertBefore(member, meta);
    }).catch(function () { /* no filters: search without the select */ });
  }

  // The results of the whole query, less those that hold one of its Chinese runs only in pieces.
  function find(pagefind, query) {
    var runs = query.match(HAN_RUN) || [];
    var searches = [apart(query)].concat(runs.map(function (run) { return '"' + apart(run) + '"'; }));
    // one Chinese run and nothing else (知网, 开放获取): its exact-phrase search alone is the answer,
    // and the search of its characters one by one (the slowest at 10,000 entries) is not needed
    if (runs.length === 1 && query.replace(HAN_RUN, "").trim() === "") searches = searches.slice(1);
    var options = member && member.value ? { filters: { member: member.value } } : {};
    return Promise.all(searches.map(function (q) { return pagefind.search(q, options); })).then(function (found) {
      if (found.some(function (search) { return !search; })) return null;
      var whole = found.slice(1).map(function (search) { return new Set(search.results.map(function (r) { return r.id; })); });
      return found[0].results.filter(function (r) { return whole.every(function (ids) { return ids.has(r.id); }); });
    });
  }

  function filter(data, name) { return (data.filters && data.filters[name] && data.filters[name][0]) || ""; }
  function filters(data, name) { return (data.filters && data.filters[name]) || []; }

  // An entry's address (its href filter) is relative to the site root; a page's URL from
  // Pagefind already starts with the site's path (also when the site lives in a sub-folder).
  function href(data) {
    if (filter(data, "href")) return new URL(filter(data, "href"), root).href;
    return new URL(data.url || "", location.href).href;
  }

  // An edition indexed as another language than Chinese has its Chinese text parted character by
  // character with spaces (pagefind.py, index_text): shown, the words are whole again, and the marks
  // of neighbouring characters one mark.
  var HAN_GAP = new RegExp("(" + HAN.source + ")((?:</mark>)?)\\s+((?:<mark>)?)(?=" + HAN.source + ")", "gu");
  function whole(text) { return text.replace(HAN_GAP, "$1$2$3").replace(/<\/mark><mark>/g, ""); }

  // Pagefind's excerpt is text with <mark> around the hits; rebuild it from text nodes only.
  function excerpt(node, text) {
    whole(text || "").split(/(<mark>[\s\S]*?<\/mark>)/).forEach(function (part) {
      var m = /^<mark>([\s\S]*)<\/mark>$/.exec(part);
      var plain = document.createElement("textarea");
      plain.innerHTML = m ? m[1] : part;  // decode entities without parsing markup
      if (m) {  // Pagefind's marks include the space after a word; keep it outside
        var mark = document.createElement("mark");
        mark.textContent = plain.value.replace(/\s+$/, "");
        node.appendChild(mark);
        if (mark.textContent !== plain.value) node.appendChild(document.createTextNode(" "));
      } else {
        node.appendChild(document.createTextNode(plain.value));
      }
    });
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = href(data);
    a.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    var h1 = document.createElement("h1");
    h1.textContent = whole(((data.meta && data.meta.title) || data.url).replace(/\u200B/g, ""));  // a page's <h1>, as indexed
    article.append(icon, h1);
    var tags = filters(data, "collection").concat(filters(data, "member"));
    if (tags.length) {
      var where = document.createElement("nav");
      where.className = "md-tags";
      tags.forEach(function (name, i) {
        var tag = document.createElement("span");
        tag.className = i === 0 && filter(data, "collection") ? "md-tag" : "md-tag os-member";
        tag.textContent = name;
        where.appendChild(tag);
      });
      article.appendChild(where);
    }
    var p = document.createElement("p");
    excerpt(p, data.excerpt);
    article.appendChild(p);
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  function say(key, count) {
    var text = t[key] || "";
    meta.textContent = text.replace("#", String(count));
  }

  var current = 0;
  // Fetch the next PAGE results' fragments at once, but show each as soon as it and those above
  // it are in: the first result appears after one fragment, not after the slowest of ten.
  function render(results, from, serial) {
    var old = list.querySelector(".os-search-more");
    if (old) old.remove();
    var chain = Promise.resolve();
    results.slice(from, from + PAGE).map(function (r) { return r.data(); }).forEach(function (loading) {
      chain = chain.then(function () { return loading; }).then(function (data) {
        if (serial === current) list.appendChild(item(data));
      });
    });
    return chain.then(function () {
      if (serial !== current || results.length <= from + PAGE) return;
      var li = document.createElement("li");
      li.className = "md-search-result__item os-search-more";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-search-result__link";
      button.textContent = "… +" + (results.length - from - PAGE);
      button.addEventListener("click", function () { render(results, from + PAGE, serial); });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  var asked = null;
  // One search at a time: keys typed while one runs wait for it, then the query as it stands then
  // runs once (typing "journals" runs two or three searches, not eight that queue in Pagefind's worker).
  var pending = null, again = false;
  function run() {
    if (pending) { again = true; return; }
    var query = input.value.trim();
    if (query === asked) return;  // the same query again (a key that changed nothing): keep its search
    asked = query;
    var serial = ++current;
    if (!query) {
      list.replaceChildren();
      delete list.dataset.query;
      say("search.result.placeholder");
      return;
    }
    pending = load().then(function (pagefind) { return find(pagefind, query); }).then(function (results) {
      if (serial !== current || !results || again) return;  // the reader typed on: the newer query runs next
      list.replaceChildren();
      delete list.dataset.query;
      say(results.length === 0 ? "search.result.none" : results.length === 1 ? "search.result.one" : "search.result.other", results.length);
      // data-query names the query the list shows, once its first results are in (tests wait on it)
      return render(results, 0, serial).then(function () { if (serial === current) list.dataset.query = query; });
    }).catch(function (error) {
      if (serial !== current) return;
      asked = null;  // let the same query try again
      meta.textContent = String(error && error.message || error);
    }).then(function () {
      pending = null;
      if (again) { again = false; run(); }
    });
  }

  function open() {
    if (toggle && !toggle.checked) toggle.checked = true;
    load();
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll(".md-search-result__link")); }

  input.addEventListener("focus", open);
  input.addEventListener("input", run);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(run, 0); });
  if (toggle) {
    toggle.addEventListener("change", function () { if (toggle.checked) { input.focus(); } });
  }

  document.addEventListener("keydown", function (event) {
    var searching = toggle && toggle.checked;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test((event.target && event.target.tagName) || "") || (event.target && event.target.isContentEditable);
    if (!searching) {
      if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey && (event.key === "/" || event.key === "s" || event.key === "f")) {
        event.preventDefault();
        open();
        input.focus();
      }
      return;
    }
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "Escape") {
      toggle.checked = false;
      input.blur();
    } else if (event.key === "Enter" && document.activeElement === input && all.length) {
      event.preventDefault();
      all[0].click();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      var next = event.key === "ArrowDown" ? at + 1 : at - 1;
      if (next < 0) { input.focus(); return; }
      all[Math.min(next, all.length - 1)].focus();
    }
  });

  list.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("a.md-search-result__link") && toggle) toggle.checked = false;
  });
})();
