// The inspectors' app's service worker (served at /inspect/sw.js, which prepends
// VERSION and PRECACHE). Everything the app needs is cached at install, so after
// one visit it opens and works with no network; the API and the key document
// always go to the network (the app stores what it downloads itself).
const CACHE = `traceapp-inspect-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("traceapp-inspect-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The app's page answers whatever its query (?decoder=wasm, ?crypto=noble).
  const isPage = request.mode === "navigate" && url.pathname === new URL(PRECACHE[0], self.location).pathname;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(isPage ? PRECACHE[0] : request, { ignoreSearch: isPage });
      return cached || fetch(request);
    }),
  );
});
