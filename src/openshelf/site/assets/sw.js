/* OpenShelf service worker: pages and files a reader has visited stay available offline.
 * Pages: network first (fresh when online), the cached copy when the network fails.
 * Assets and search data: cached copy first, refreshed in the background.
 * Only successful responses are cached.  The cache is named after the build (VERSION is
 * replaced at build time with a hash of the built files), and activating a new build's worker
 * deletes the caches of older builds. */
"use strict";

var VERSION = "dev";
var PREFIX = "openshelf-";
var CACHE = PREFIX + VERSION;

function current() {
  // A newer build's worker has taken over: this one must not write (its cache is being deleted).
  var active = self.registration.active;
  return !active || !self.serviceWorker || active === self.serviceWorker;
}

function sweep() {
  // Delete every other build's cache: on activation, and again on each page load, because an
  // older worker's write still in flight at the switch can re-create its cache.
  return caches.keys().then(function (names) {
    var old = names.filter(function (n) { return n.indexOf(PREFIX) === 0 && n !== CACHE; });
    return Promise.all(old.map(function (n) { return caches.delete(n); }));
  });
}

function keep(request, response) {
  if (!response.ok || !current()) return;  // never an error page or a redirect in place of the page
  var copy = response.clone();
  caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(["./", "./404.html"]); }).catch(function () {})
  );
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(sweep().then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.waitUntil(sweep());
    event.respondWith(
      fetch(request).then(function (response) {
        keep(request, response);
        return response;
      }).catch(function () {
        return caches.match(request).then(function (hit) { return hit || caches.match("./404.html"); });
      })
    );
    return;
  }
  event.respondWith(
    caches.match(request).then(function (hit) {
      var refresh = fetch(request).then(function (response) {
        keep(request, response);
        return response;
      });
      return hit || refresh;
    })
  );
});
