// Package eventfile reads files of events made elsewhere into geo.Events:
// conflictmap's own exports (GeoJSON, CSV), ACLED's exports (the CSV of
// 2020 with dates such as "14 March 2020", the CSV of 2023 on with
// disorder_type, and the JSON of its API) and UCDP's Georeferenced Event
// Dataset (GED) CSV. The format is told from the file's first bytes and
// header, never from its name.
//
// Rows are read one at a time, so a file of any size reads in bounded
// memory. A row that cannot be read is passed on with its line (or, in JSON,
// its position) and the reason, and reading goes on.
package eventfile

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
)

// Format is a kind of file Read understands.
type Format string

// The formats Read understands.
const (
	GeoJSON   Format = "geojson"    // conflictmap's GeoJSON (or any with its property names)
	CSV       Format = "csv"        // conflictmap's CSV export
	ACLED2020 Format = "acled-2020" // ACLED export CSV, 2020 columns (data_id, iso3; "14 March 2020")
	ACLED     Format = "acled"      // ACLED export CSV, 2023 on (disorder_type; ISO dates)
	ACLEDAPI  Format = "acled-api"  // ACLED API JSON ({"success":true,"data":[...]})
	UCDP      Format = "ucdp"       // UCDP GED CSV
)

// Origin is the origin (geo.Origins) of the events of a file of format f.
func (f Format) Origin() string {
	switch f {
	case ACLED2020, ACLED, ACLEDAPI:
		return geo.OriginACLED
	case UCDP:
		return geo.OriginUCDP
	}
	return geo.OriginImport
}

// Row is one row of a file: an event, or why the row could not be read.
type Row struct {
	// Line is where the row starts in the file (1-based); for JSON,
	// Line is the feature's or record's index (1-based) and Line is 0.
	Line  int
	Index int
	Event geo.Event
	Err   error
}

// Where says where the row is, for a message.
func (r Row) Where() string {
	if r.Line > 0 {
		return "line " + strconv.Itoa(r.Line)
	}
	return "record " + strconv.Itoa(r.Index)
}

// Options are what reading needs from outside the file.
type Options struct {
	// CountryCode returns the ISO 3166-1 alpha-2 code of a country name
	// ("" when unknown); ACLED and UCDP name countries, they do not give
	// alpha-2 codes.
	CountryCode func(name string) string
}

// Read detects the format of r and calls fn with each row, in file order,
// until the file ends or fn returns an error. It returns the format, and an
// error when the file is not one of the formats or cannot be read on.
func Read(r io.Reader, opt Options, fn func(Row) error) (Format, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head, err := br.Peek(4096)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return "", err
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if opt.CountryCode == nil {
		opt.CountryCode = func(string) string { return "" }
	}
	if t := bytes.TrimSpace(head); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return readJSON(br, opt, fn)
	}
	return readCSV(br, opt, fn)
}

// stableID makes an id for a row that has none from what the row says, so
// that importing the same file again replaces its events instead of adding
// them twice.
func stableID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return prefix + hex.EncodeToString(h.Sum(nil)[:8])
}

// parseDate reads the day of an ISO date, an ISO date-time (UCDP) or
// ACLED 2020's "14 March 2020".
func parseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{geo.DateLayout, "2006-01-02 15:04:05.000", "2006-01-02 15:04:05", time.RFC3339, "2 January 2006", "02 January 2006", "2-Jan-06", "02-Jan-2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(geo.DateLayout), nil
		}
	}
	if len(s) > 10 {
		if t, err := time.Parse(geo.DateLayout, s[:10]); err == nil {
			return t.Format(geo.DateLayout), nil
		}
	}
	return "", fmt.Errorf("date %q is not YYYY-MM-DD or '14 March 2020'", s)
}

func parseFloat(name, s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a number", name, s)
	}
	return v, nil
}

// parseInt reads an integer that may be written as a float ("3.0"); ""
// is unknown (nil).
func parseInt(name, s string) (*int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		return &n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int(f)) {
		return nil, fmt.Errorf("%s %q is not an integer", name, s)
	}
	n := int(f)
	return &n, nil
}

// maxFatalities bounds one event's fatalities: no recorded event comes
// near it (the deadliest of UCDP's GED count a few hundred thousand), and
// the stores' bulk imports add up a cell's fatalities in 32 bits.
const maxFatalities = 1_000_000

// check refuses a row whose event a store could not hold or answer right.
func check(e geo.Event) error {
	switch {
	case e.EventDate == "":
		return fmt.Errorf("no event_date")
	case e.EventType == "":
		return fmt.Errorf("no event_type")
	case !geo.IsEventType(e.EventType):
		return fmt.Errorf("event_type %q is not an ACLED event type", e.EventType)
	case e.Modality != "" && !geo.IsModality(e.Modality):
		return fmt.Errorf("modality %q is not one of %v", e.Modality, geo.Modalities())
	case e.Fatalities != nil && *e.Fatalities < 0:
		return fmt.Errorf("fatalities %d is negative", *e.Fatalities)
	case e.Fatalities != nil && *e.Fatalities > maxFatalities:
		return fmt.Errorf("fatalities %d is more than %d", *e.Fatalities, maxFatalities)
	}
	if err := geo.CheckEvent(e); err != nil {
		return fmt.Errorf("%s", geo.ErrorMessage(err))
	}
	return nil
}
