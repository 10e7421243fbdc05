/** LAN address discovery and ranking, the default route, the address watcher and the URLs. */
export * from './addresses.js';
export * from './interfaces.js';
export * from './default-route.js';
export * from './address-watch.js';
export * from './urls.js';
