package fetch

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// maxRobotsBytes bounds a robots.txt; Google reads the first 500 KiB.
const maxRobotsBytes = 512 << 10

// robotsAgent is the product token robots.txt groups are matched against.
const robotsAgent = "conflictmap"

type robotsEntry struct {
	data    *robotstxt.RobotsData // nil: everything allowed
	expires time.Time
}

// allowed reports whether the host's robots.txt lets conflictmap fetch u,
// reading and keeping the file for RobotsTTL. A missing robots.txt (4xx)
// allows everything and a failing one (5xx) nothing, as robotstxt reads
// them; one that cannot be fetched at all allows, since the page's own
// fetch then fails with the reason.
func (c *Client) allowed(ctx context.Context, u *url.URL) (bool, error) {
	key := u.Scheme + "://" + strings.ToLower(u.Host)
	c.mu.Lock()
	m := c.robotsMus[key]
	if m == nil {
		m = &sync.Mutex{}
		c.robotsMus[key] = m
	}
	c.mu.Unlock()
	m.Lock() // one fetch of a host's robots.txt at a time
	defer m.Unlock()
	c.mu.Lock()
	e, ok := c.robots[key]
	c.mu.Unlock()
	if !ok || time.Now().After(e.expires) {
		e = robotsEntry{expires: time.Now().Add(c.opt.RobotsTTL)}
		resp, err := c.get(ctx, key+"/robots.txt", "text/plain", Conditional{}, maxRobotsBytes)
		var fe *Error
		switch {
		case err == nil:
			e.data, _ = robotstxt.FromStatusAndBytes(resp.Status, resp.Body)
		case errors.As(err, &fe) && fe.Reason == ReasonStatus:
			e.data, _ = robotstxt.FromStatusAndBytes(fe.Status, nil)
		case errors.As(err, &fe) && fe.Reason == ReasonAddress:
			return false, err
		default:
			if ctx.Err() != nil {
				return false, classify(u.String(), ctx.Err())
			}
			// Not cached: the next page of the host asks again.
			return true, nil
		}
		c.mu.Lock()
		c.robots[key] = e
		c.mu.Unlock()
	}
	if e.data == nil {
		return true, nil
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return e.data.TestAgent(path, robotsAgent), nil
}
