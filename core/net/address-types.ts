/** The types of LAN address discovery, apart from its Node code so the window's type check needs no Node types. */

/** What an address is, as far as a user choosing one needs to know. */
export type AddressKind = 'lan' | 'loopback' | 'link-local' | 'virtual' | 'vpn' | 'public';

/** One address of this machine that a client might use, with a human label and its rank. */
export interface CandidateAddress {
  /** The address without a zone id, e.g. `192.168.1.23` or `fe80::1`. */
  address: string;
  family: 'IPv4' | 'IPv6';
  /** The OS's interface name: `en0`, `eth0`, `Wi-Fi`, `vEthernet (WSL)`. */
  interfaceName: string;
  kind: AddressKind;
  /** For people: "Wi-Fi / Ethernet (en0)", "Docker (docker0)", "VPN (utun3)", "Loopback". */
  label: string;
  /** Position in the ranked list: 0 is the best guess. */
  rank: number;
  /** IPv6 scope (interface index) of a link-local address, as the server's OS numbers it. */
  scopeId?: number;
}

/** What each kind of address means to a person choosing one, as the window and the CLI say it. */
export const ADDRESS_KIND_TEXT: Readonly<Record<AddressKind, string>> = {
  lan: 'Local network',
  loopback: 'This computer only',
  'link-local': 'Link-local',
  virtual: 'Virtual adapter',
  vpn: 'VPN',
  public: 'Public address',
};
