package handlers

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"conflictmap/geo"
)

// The GeoJSON writer below is hand-rolled because answers of 10,000
// features are common (a whole conflict at once) and encoding them through
// orb's map-based Feature and encoding/json costs several times more CPU and
// garbage. It writes exactly what geo.Event.Feature() describes: every
// property of geo.PropertyNames(), in that order, JSON null for unknown values.

// member is an extra top-level member of a FeatureCollection (OGC API adds
// links and timeStamp), written after numberReturned in the given order.
type member struct {
	Name  string
	Value any
}

// appendFeatureCollection writes page as an RFC 7946 FeatureCollection
// carrying numberMatched and numberReturned.
func appendFeatureCollection(b []byte, page geo.EventPage, extra ...member) ([]byte, error) {
	b = append(b, `{"type":"FeatureCollection","numberMatched":`...)
	b = strconv.AppendInt(b, int64(page.Matched), 10)
	b = append(b, `,"numberReturned":`...)
	b = strconv.AppendInt(b, int64(len(page.Events)), 10)
	for _, m := range extra {
		b = append(b, ',')
		b = appendString(b, m.Name)
		b = append(b, ':')
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		b = append(b, v...)
	}
	b = append(b, `,"features":[`...)
	for i, e := range page.Events {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFeature(b, e)
	}
	return append(b, "]}\n"...), nil
}

// appendFeature writes one event as a GeoJSON Point feature.
func appendFeature(b []byte, e geo.Event) []byte {
	b = append(b, `{"type":"Feature"`...)
	if e.ID != "" {
		// RFC 7946 allows a string or a number here, not null.
		b = append(b, `,"id":`...)
		b = appendString(b, e.ID)
	}
	b = append(b, `,"geometry":{"type":"Point","coordinates":[`...)
	b = appendFloat(b, e.Point[0])
	b = append(b, ',')
	b = appendFloat(b, e.Point[1])
	b = append(b, "]}"...)
	if e.Bound != nil {
		b = append(b, `,"bbox":[`...)
		b = appendFloat(b, e.Bound.Min[0])
		b = append(b, ',')
		b = appendFloat(b, e.Bound.Min[1])
		b = append(b, ',')
		b = appendFloat(b, e.Bound.Max[0])
		b = append(b, ',')
		b = appendFloat(b, e.Bound.Max[1])
		b = append(b, ']')
	}
	b = append(b, `,"properties":{"id":`...)
	b = appendNullString(b, e.ID)
	b = append(b, `,"event_date":`...)
	b = appendNullString(b, e.EventDate)
	b = append(b, `,"event_date_end":`...)
	b = appendNullString(b, e.EventDateEnd)
	b = append(b, `,"time_precision":`...)
	b = appendNullInt(b, int64(e.TimePrecision))
	b = append(b, `,"event_type":`...)
	b = appendNullString(b, e.EventType)
	b = append(b, `,"sub_event_type":`...)
	b = appendNullString(b, e.SubEventType)
	b = append(b, `,"modality":`...)
	b = appendNullString(b, e.Modality)
	b = append(b, `,"actor1":`...)
	b = appendNullString(b, e.Actor1)
	b = append(b, `,"actor2":`...)
	b = appendNullString(b, e.Actor2)
	b = append(b, `,"fatalities":`...)
	if e.Fatalities == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*e.Fatalities), 10)
	}
	b = append(b, `,"location":`...)
	b = appendNullString(b, e.Location)
	b = append(b, `,"country":`...)
	b = appendNullString(b, e.Country)
	b = append(b, `,"country_code":`...)
	b = appendNullString(b, e.CountryCode)
	b = append(b, `,"admin1":`...)
	b = appendNullString(b, e.Admin1)
	b = append(b, `,"geonameid":`...)
	b = appendNullInt(b, e.GeonameID)
	b = append(b, `,"feature_code":`...)
	b = appendNullString(b, e.FeatureCode)
	b = append(b, `,"geo_precision":`...)
	b = appendNullInt(b, int64(e.GeoPrecision))
	b = append(b, `,"mention":`...)
	b = appendNullString(b, e.Mention)
	b = append(b, `,"quote":`...)
	b = appendNullString(b, e.Quote)
	b = append(b, `,"confidence":`...)
	if e.Confidence > 0 {
		b = appendFloat(b, e.Confidence)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"article_id":`...)
	b = appendNullString(b, e.ArticleID)
	b = append(b, `,"title":`...)
	b = appendNullString(b, e.Title)
	b = append(b, `,"source_url":`...)
	b = appendNullString(b, e.SourceURL)
	b = append(b, `,"published":`...)
	b = appendNullString(b, e.Published)
	b = append(b, `,"published_estimated":`...)
	b = strconv.AppendBool(b, e.PublishedEstimated)
	b = append(b, `,"extractor_version":`...)
	b = appendNullString(b, e.ExtractorVersion)
	b = append(b, `,"source_count":`...)
	b = strconv.AppendInt(b, int64(max(e.SourceCount, 1)), 10)
	b = append(b, `,"sources":[`...)
	for i, s := range geo.EventSources(e) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"article_id":`...)
		b = appendNullString(b, s.ArticleID)
		b = append(b, `,"title":`...)
		b = appendNullString(b, s.Title)
		b = append(b, `,"outlet":`...)
		b = appendNullString(b, s.Outlet)
		b = append(b, `,"url":`...)
		b = appendNullString(b, s.URL)
		b = append(b, `,"published":`...)
		b = appendNullString(b, s.Published)
		b = append(b, `,"published_estimated":`...)
		b = strconv.AppendBool(b, s.PublishedEstimated)
		b = append(b, `,"quote":`...)
		b = appendNullString(b, s.Quote)
		b = append(b, `,"fatalities":`...)
		if s.Fatalities == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendInt(b, int64(*s.Fatalities), 10)
		}
		b = append(b, '}')
	}
	b = append(b, `],"related":[`...)
	for i, id := range e.Related {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, id)
	}
	b = append(b, `],"origin":`...)
	b = appendString(b, e.OriginName())
	return append(b, "}}"...)
}

func appendNullString(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

func appendNullInt(b []byte, n int64) []byte {
	if n == 0 {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, n, 10)
}

// appendFloat writes f as the shortest decimal that reads back to the same
// float64; non-finite values (never valid in JSON) become null.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string, escaping what RFC 8259 requires
// plus <, >, & (as encoding/json does, so a body pasted into HTML stays
// inert) and U+2028/U+2029; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
