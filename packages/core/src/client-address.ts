import { isIP } from "node:net";

/**
 * The key a client address is counted under. One IPv6 host usually holds a whole /64 (2^64
 * addresses), so per-address limits keyed by the exact address would give it endless fresh
 * counters: IPv6 addresses are keyed by their first `ipv6PrefixLength` bits, written as
 * `prefix/length`. IPv4-mapped IPv6 (`::ffff:203.0.113.7`, what a dual-stack server reports
 * for an IPv4 client) is keyed as the IPv4 address. Anything else is keyed as given.
 */
export function addressKey(address: string, ipv6PrefixLength: number): string {
  const zoneless = address.includes("%") ? address.slice(0, address.indexOf("%")) : address;
  if (isIP(zoneless) !== 6) return address;
  const groups = ipv6Groups(zoneless);
  if (isIpv4Mapped(groups)) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  const masked = groups.map((group, index) => {
    const bitsKept = Math.min(16, Math.max(0, ipv6PrefixLength - index * 16));
    return bitsKept === 0 ? 0 : group & (0xffff << (16 - bitsKept)) & 0xffff;
  });
  return `${masked.map((group) => group.toString(16)).join(":")}/${ipv6PrefixLength}`;
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

/** The eight 16-bit groups of a valid IPv6 address (`isIP` already said it is one). */
function ipv6Groups(address: string): number[] {
  let text = address;
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) is the last two groups: rewrite it in hex.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string): number[] =>
    part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16));
  const gap = text.indexOf("::");
  if (gap === -1) return parse(text);
  const before = parse(text.slice(0, gap));
  const after = parse(text.slice(gap + 2));
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
}
