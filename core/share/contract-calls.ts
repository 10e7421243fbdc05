/**
 * The contract's one run-time helper: the object of every request, built from one function that
 * sends a request by name. Every transport makes its request object this way, so none spells the
 * request names out: the window's WebSocket client (renderer/api.ts), the Electron preload
 * (electron/preload-api.ts) and the web host's handler table (core/web/web-host.ts).
 *
 * No Node and no DOM: the window's bundle and the sandboxed preload include it (the window's
 * renderer/test/no-node.test.ts checks it with the window's own files).
 */
import { REQUEST_NAMES, type RequestCall, type RequestFunctions } from './contract.js';

/**
 * One function per request name, each `(params) => call(name, params)`, in the contract's order.
 *
 * An explicit object, not a Proxy: `Object.keys` lists exactly the contract's requests, and
 * REQUEST_NAMES holds every request (contract.ts refuses to compile otherwise), so the result is
 * complete by construction.
 */
export function requestsFromCall(call: RequestCall): RequestFunctions {
  const requests: Partial<Record<string, (params: unknown) => Promise<unknown>>> = {};
  for (const name of REQUEST_NAMES) requests[name] = (params: unknown) => call(name, params);
  return requests as RequestFunctions;
}
