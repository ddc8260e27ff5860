package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// sharedSpace is RFC 6598's carrier-grade NAT range: not global, yet not
// "private" to netip.
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// refusal says why an outbound connection may not go to ip, or "" when it
// may: only globally routable unicast addresses are reachable by default.
func refusal(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "an invalid address"
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate(), sharedSpace.Contains(ip):
		return "a private address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "a link-local address"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	case ip.IsUnspecified():
		return "an unspecified address"
	case !ip.IsGlobalUnicast():
		return "not a global unicast address"
	}
	return ""
}

// resolve returns the addresses of host that may be reached, or an *Error
// naming the first refused one when none may.
func (c *Client) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		lookup := c.opt.Resolve
		if lookup == nil {
			lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
				return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			}
		}
		addrs, err = lookup(ctx, host)
		if err != nil {
			var de *net.DNSError
			if errors.As(err, &de) && de.IsTimeout {
				return nil, fail(ReasonTimeout, host, "looking up %s: %v", host, err)
			}
			return nil, fail(ReasonDNS, host, "looking up %s: %v", host, err)
		}
		if len(addrs) == 0 {
			return nil, fail(ReasonDNS, host, "%s has no address", host)
		}
	}
	if c.opt.AllowPrivate {
		return addrs, nil
	}
	var ok []netip.Addr
	why := ""
	for _, a := range addrs {
		if r := refusal(a); r != "" {
			if why == "" {
				why = fmt.Sprintf("%s is %s", a.Unmap(), r)
			}
			continue
		}
		ok = append(ok, a)
	}
	if len(ok) == 0 {
		if host != addrs[0].String() {
			why = host + " resolves to " + why
		}
		return nil, fail(ReasonAddress, host, "refused: %s (start the server with --fetch-allow-private to fetch from it)", why)
	}
	return ok, nil
}

// dialGuarded is the transport's only way out: it resolves the host itself
// and dials only addresses the guard accepts, and the dialer checks the
// address of the socket once more just before it connects, so no other
// lookup (a second DNS answer, a redirect to another name) gets around it.
func (c *Client) dialGuarded(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := c.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	dial := c.opt.Dial
	if dial == nil {
		d := &net.Dialer{Timeout: c.opt.Timeout, KeepAlive: 30 * time.Second, Control: c.control}
		dial = d.DialContext
	}
	var errs []error
	for _, ip := range ips {
		target := net.JoinHostPort(ip.Unmap().String(), port)
		if !c.opt.AllowPrivate {
			if r := refusal(ip); r != "" {
				return nil, fail(ReasonAddress, host, "refused: %s is %s", ip, r)
			}
		}
		conn, err := dial(ctx, network, target)
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// control refuses a socket about to connect to an address the guard does
// not accept.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	if c.opt.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fail(ReasonAddress, address, "refused: %q is not an IP address and port", address)
	}
	if r := refusal(ap.Addr()); r != "" {
		return fail(ReasonAddress, address, "refused: %s is %s", ap.Addr(), r)
	}
	return nil
}
