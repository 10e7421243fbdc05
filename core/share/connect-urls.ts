/**
 * The addresses the Connect panel and the CLI's banner offer, as URLs, best first: the ranked
 * candidates of core/net, with the address the user chose (when set) leading. The same addresses
 * in the same order for FTP (`connectUrls`) and for the web page (`webConnectUrls`).
 */
import type { CandidateAddress } from '../net/address-types.js';
import { candidateUrls, ftpUrl, webUrl, type FtpUrlOptions, type WebUrlOptions } from '../net/urls.js';
import type { ConnectUrl } from './contract.js';

/** The FTP URLs (`ftp://`, `ftps://` for implicit TLS) of the candidates, `chosen` first. */
export function connectUrls(candidates: readonly CandidateAddress[], port: number, options: FtpUrlOptions, chosen?: string): ConnectUrl[] {
  return ranked(candidates, port, chosen, (host, p) => ftpUrl(host, p, options));
}

/** The web page's URLs (`http://`, `https://` when secure) of the same candidates, `chosen` first. */
export function webConnectUrls(candidates: readonly CandidateAddress[], port: number, options: WebUrlOptions, chosen?: string): ConnectUrl[] {
  return ranked(candidates, port, chosen, (host, p) => webUrl(host, p, options));
}

function ranked(candidates: readonly CandidateAddress[], port: number, chosen: string | undefined, build: (host: string, port: number) => string): ConnectUrl[] {
  const urls: ConnectUrl[] = candidateUrls(candidates, port, {}, build);
  if (chosen === undefined) return urls;
  const index = urls.findIndex((u) => u.address === chosen);
  // The chosen address may not be on an interface (a router's public name): it still leads.
  if (index >= 0) urls.unshift(...urls.splice(index, 1));
  else urls.unshift({ url: build(chosen, port), address: chosen, label: `Chosen address (${chosen})`, kind: 'lan' });
  return urls;
}
