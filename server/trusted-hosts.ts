// The DNS-rebinding guard: a page on evil.example whose name is re-pointed at this server sends
// Host: evil.example and a matching Origin, which a same-host Origin check lets through. So the Host
// itself must be one the server answers to: localhost (and *.localhost), any IP address (a rebound name
// is never an IP literal), or a configured name (".example.org" also allows its subdomains); "*" turns
// the check off. The same defaults as Vite's server.allowedHosts.
import { isIP } from 'node:net';

const hostHeader = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::\d{1,5})?$/;

/** The hostname of a Host header, lower-cased, without port or IPv6 brackets; null when it is malformed. */
export function hostnameOf(host: string | undefined): string | null {
  if (!host || host.length > 255) return null;
  const m = hostHeader.exec(host.toLowerCase());
  return m ? (m[1] ?? m[2]!) : null;
}

export type HostCheck = (host: string | undefined) => boolean;

export function trustedHosts(configured: readonly string[]): HostCheck {
  if (configured.includes('*')) return () => true;
  const names = configured.map((h) => h.toLowerCase());
  return (host) => {
    const name = hostnameOf(host);
    if (name === null) return false;
    if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
    return names.some((n) => (n.startsWith('.') ? name === n.slice(1) || name.endsWith(n) : name === n));
  };
}
