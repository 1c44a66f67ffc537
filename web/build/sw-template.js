// MotoVault's service worker: keeps the app shell (this build's files) so the app opens offline.
// API answers are not cached here: they are personal, and the app keeps the last data it showed
// itself, per user (src/api/offlineCache.ts). Placeholders are filled in by build/service-worker.ts.
const SHELL_FILES = __SHELL_FILES__;
const CACHE = 'motovault-shell-' + __VERSION__;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) {
    return; // the network as usual: API calls, uploads and other origins are the app's business
  }
  if (request.mode === 'navigate') {
    // Every client route is index.html: fresh from the network, the cached shell when offline.
    event.respondWith(fetch(request).catch(() => caches.match('/')));
    return;
  }
  if (url.pathname === '/app-config.json') {
    event.respondWith(
      fetch(request)
        .then((response) => {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
          return response;
        })
        .catch(() => caches.match(request)),
    );
    return;
  }
  // Hashed assets and icons never change under one name: the cache first.
  event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
});
