/** LAN address discovery and ranking (see addresses.ts). */
export * from './addresses.js';
