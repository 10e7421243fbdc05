/**
 * The addresses the Connect panel and the CLI's banner offer, as URLs, best first: the ranked
 * candidates of core/net, with the address the user chose (when set) leading.
 */
import type { CandidateAddress } from '../net/address-types.js';
import { candidateUrls, ftpUrl, type FtpUrlOptions } from '../net/urls.js';
import type { ConnectUrl } from './contract.js';

export function connectUrls(candidates: readonly CandidateAddress[], port: number, options: FtpUrlOptions, chosen?: string): ConnectUrl[] {
  const urls: ConnectUrl[] = candidateUrls(candidates, port, options);
  if (chosen === undefined) return urls;
  const index = urls.findIndex((u) => u.address === chosen);
  // The chosen address may not be on an interface (a router's public name): it still leads.
  if (index >= 0) urls.unshift(...urls.splice(index, 1));
  else urls.unshift({ url: ftpUrl(chosen, port, options), address: chosen, label: `Chosen address (${chosen})`, kind: 'lan' });
  return urls;
}
