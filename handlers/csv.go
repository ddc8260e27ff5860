package handlers

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"

	"conflictmap/geo"
)

// csvColumns are the CSV export's columns: ACLED's names where ACLED has
// the field (so that analysts can stack our rows under an ACLED export),
// then conflictmap's own. iso is the ISO 3166-1 alpha-2 code; notes is the
// sentence the event was read from; source is the article's title.
var csvColumns = []string{
	"event_id_cnty", "event_date", "event_date_end", "year", "time_precision",
	"event_type", "sub_event_type", "actor1", "actor2",
	"country", "iso", "admin1", "location", "latitude", "longitude", "geo_precision",
	"source", "source_url", "notes", "fatalities",
	"modality", "mention", "geonameid", "feature_code", "confidence",
	"published", "article_id", "extractor_version", "origin",
	"source_count", "sources",
}

// csvRow returns e's cells in csvColumns' order; unknown values are empty
// cells.
func csvRow(e geo.Event) []string {
	year := ""
	if len(e.EventDate) >= 4 {
		year = e.EventDate[:4]
	}
	itoa := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	fatalities := ""
	if e.Fatalities != nil {
		fatalities = strconv.Itoa(*e.Fatalities)
	}
	confidence := ""
	if e.Confidence > 0 {
		confidence = strconv.FormatFloat(e.Confidence, 'f', -1, 64)
	}
	return []string{
		e.ID, e.EventDate, e.EventDateEnd, year, itoa(int64(e.TimePrecision)),
		e.EventType, e.SubEventType, e.Actor1, e.Actor2,
		e.Country, e.CountryCode, e.Admin1, e.Location,
		strconv.FormatFloat(e.Point[1], 'f', -1, 64), strconv.FormatFloat(e.Point[0], 'f', -1, 64),
		itoa(int64(e.GeoPrecision)),
		e.Title, e.SourceURL, e.Quote, fatalities,
		e.Modality, e.Mention, itoa(e.GeonameID), e.FeatureCode, confidence,
		e.Published, e.ArticleID, e.ExtractorVersion, e.OriginName(),
		strconv.Itoa(max(e.SourceCount, 1)), joinSources(geo.EventSources(e)),
	}
}

// joinSources writes an event's sources in one cell, earliest first, each
// as "outlet published url", separated by " | ".
func joinSources(sources []geo.Source) string {
	parts := make([]string, len(sources))
	for i, s := range sources {
		parts[i] = strings.Join(strings.Fields(s.Outlet+" "+s.Published+" "+s.URL), " ")
		if parts[i] == "" {
			parts[i] = s.ArticleID
		}
	}
	return strings.Join(parts, " | ")
}

// encodeCSV writes events as RFC 4180 CSV (CRLF line ends, quoted fields
// where needed) with a header row.
func encodeCSV(events []geo.Event) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(256 * (len(events) + 1))
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(csvColumns); err != nil {
		return nil, err
	}
	for _, e := range events {
		if err := w.Write(csvRow(e)); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
