import { describe, expect, it } from "vitest";
import { addressKey } from "./client-address.js";

describe("addressKey", () => {
  it("keys every address of one IPv6 /64 alike, and other /64s apart", () => {
    const keys = [
      "2001:db8:1234:5678::1",
      "2001:db8:1234:5678:ffff:ffff:ffff:ffff",
      "2001:0db8:1234:5678:0:0:0:2",
      "2001:DB8:1234:5678:abcd::9",
    ].map((address) => addressKey(address, 64));
    expect(new Set(keys)).toEqual(new Set(["2001:db8:1234:5678:0:0:0:0/64"]));
    expect(addressKey("2001:db8:1234:5679::1", 64)).toBe("2001:db8:1234:5679:0:0:0:0/64");
  });

  it("takes the prefix length as configured, including bits inside a group", () => {
    expect(addressKey("2001:db8:1234:5678::1", 48)).toBe("2001:db8:1234:0:0:0:0:0/48");
    expect(addressKey("2001:db8:1234:56ff::1", 56)).toBe("2001:db8:1234:5600:0:0:0:0/56");
    expect(addressKey("2001:db8::1", 128)).toBe("2001:db8:0:0:0:0:0:1/128");
    expect(addressKey("2001:db8::1", 128)).not.toBe(addressKey("2001:db8::2", 128));
  });

  it("keys IPv4-mapped IPv6 as the IPv4 address, in either notation", () => {
    expect(addressKey("::ffff:203.0.113.7", 64)).toBe("203.0.113.7");
    expect(addressKey("::FFFF:cb00:7107", 64)).toBe("203.0.113.7");
    expect(addressKey("0:0:0:0:0:ffff:203.0.113.7", 64)).toBe("203.0.113.7");
    expect(addressKey("203.0.113.7", 64)).toBe("203.0.113.7");
  });

  it("keys loopback, unspecified and zoned addresses by their /64 too", () => {
    expect(addressKey("::1", 64)).toBe("0:0:0:0:0:0:0:0/64");
    expect(addressKey("::", 64)).toBe("0:0:0:0:0:0:0:0/64");
    expect(addressKey("fe80::1%eth0", 64)).toBe(addressKey("fe80::2", 64));
    expect(addressKey("64:ff9b::203.0.113.7", 96)).toBe("64:ff9b:0:0:0:0:0:0/96");
  });

  it("keeps anything that is not an IP address as given", () => {
    expect(addressKey("client-1", 64)).toBe("client-1");
    expect(addressKey("", 64)).toBe("");
  });
});
