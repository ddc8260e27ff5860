package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"conflictmap/geo"
)

// ogcPage is what an HTML view of /ogc shows; View names the template.
// A GIS user who pastes an /ogc URL into a browser lands on one of these.
type ogcPage struct {
	View        string
	Title       string
	Description string
	Base        string
	Links       []ogcLink
	ConformsTo  []string
	API         *openAPI
	Collection  *ogcCollection

	// Set for the items view only; the other views leave them zero.
	Events            []geo.Event
	Matched, From, To int
	Filter            string
	Prev, Next        string

	// Set for the one-item view only.
	Event *geo.Event
	Props []ogcProp
}

// ogcProp is one row of an item's property table.
type ogcProp struct {
	Name, Value string
	Link        bool
}

// Breadcrumbs are the links from the landing page down to this view.
func (p ogcPage) Breadcrumbs() []ogcLink {
	crumbs := []ogcLink{{Href: p.Base + "?f=html", Title: "conflictmap"}}
	coll := p.Base + "/collections"
	switch p.View {
	case "conformance":
		crumbs = append(crumbs, ogcLink{Title: "Conformance"})
	case "api":
		crumbs = append(crumbs, ogcLink{Title: "API"})
	case "collections":
		crumbs = append(crumbs, ogcLink{Title: "Collections"})
	case "collection":
		crumbs = append(crumbs, ogcLink{Href: coll + "?f=html", Title: "Collections"}, ogcLink{Title: ogcCollectionID})
	case "items":
		crumbs = append(crumbs, ogcLink{Href: coll + "?f=html", Title: "Collections"},
			ogcLink{Href: coll + "/" + ogcCollectionID + "?f=html", Title: ogcCollectionID}, ogcLink{Title: "Items"})
	case "item":
		crumbs = append(crumbs, ogcLink{Href: coll + "?f=html", Title: "Collections"},
			ogcLink{Href: coll + "/" + ogcCollectionID + "?f=html", Title: ogcCollectionID},
			ogcLink{Href: coll + "/" + ogcCollectionID + "/items?f=html", Title: "Items"}, ogcLink{Title: p.Title})
	}
	return crumbs
}

// MapPage is the address of the map page on the same server.
func (p ogcPage) MapPage() string { return strings.TrimSuffix(p.Base, "/ogc") + "/" }

// ogcTemplates parses the HTML views. Every view starts with "head" and
// ends with "foot"; html/template escapes every value from the store.
func ogcTemplates() *template.Template {
	funcs := template.FuncMap{
		"orDash": func(s string) string {
			if s == "" {
				return "—"
			}
			return s
		},
		"fatalities": func(n *int) string {
			if n == nil {
				return "—"
			}
			return strconv.Itoa(*n)
		},
		"itemURL": func(base, id string) string {
			return base + "/collections/" + ogcCollectionID + "/items/" + url.PathEscape(id) + "?f=html"
		},
		"bbox": func(b [4]float64) string {
			return fmt.Sprintf("%s, %s to %s, %s (west, south to east, north)", fmtFloat(b[0]), fmtFloat(b[1]), fmtFloat(b[2]), fmtFloat(b[3]))
		},
		"deref": func(s *string) string {
			if s == nil {
				return "open"
			}
			return *s
		},
	}
	return template.Must(template.New("ogc").Funcs(funcs).Parse(ogcTemplateText))
}

// render executes p's view.
func (o *ogcAPI) render(p ogcPage) ([]byte, error) {
	var buf bytes.Buffer
	if err := o.views.ExecuteTemplate(&buf, p.View, p); err != nil {
		return nil, fmt.Errorf("rendering the %s view: %w", p.View, err)
	}
	return buf.Bytes(), nil
}

// itemsPage is one page of events as the HTML items view shows it.
func itemsPage(base string, f geo.Filter, page geo.EventPage) ogcPage {
	p := ogcPage{View: "items", Title: "Conflict events", Base: base, Events: page.Events,
		Matched: page.Matched, Links: itemsLinks(base, f, page, formatHTML)}
	if len(page.Events) > 0 {
		p.From, p.To = f.Offset+1, f.Offset+len(page.Events)
	}
	for _, l := range p.Links {
		switch l.Rel {
		case "next":
			p.Next = l.Href
		case "prev":
			p.Prev = l.Href
		}
	}
	var parts []string
	v, _ := url.ParseQuery(ogcQuery(f, 0, formatJSON))
	for _, k := range []string{"bbox", "datetime", "type", "modality", "country", "actor", "q", "min_sources"} {
		if vs := v[k]; len(vs) > 0 {
			parts = append(parts, k+" = "+strings.Join(vs, ", "))
		}
	}
	p.Filter = strings.Join(parts, "; ")
	return p
}

// itemPage is one event as the HTML item view shows it: every property in
// the order of the GeoJSON form.
func itemPage(base string, e geo.Event, links []ogcLink) ogcPage {
	title := e.EventType
	if title == "" {
		title = "Event"
	}
	if e.Location != "" {
		title += " in " + e.Location
	}
	if e.EventDate != "" {
		title += ", " + e.EventDate
	}
	p := ogcPage{View: "item", Title: title, Base: base, Event: &e, Links: links}
	props := e.Feature().Properties
	for _, name := range geo.PropertyNames() {
		v := props[name]
		s := "—"
		if v != nil {
			s = fmt.Sprint(v)
		}
		p.Props = append(p.Props, ogcProp{Name: name, Value: s, Link: name == "source_url" && v != nil})
	}
	p.Props = append(p.Props, ogcProp{Name: "longitude, latitude", Value: fmtFloat(e.Point[0]) + ", " + fmtFloat(e.Point[1])})
	return p
}

const ogcTemplateText = `
{{define "head"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · conflictmap OGC API</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; color: #1d232b; }
nav.crumbs { font-size: .9rem; margin-bottom: .5rem; }
nav.crumbs span + span::before { content: " › "; color: #888; }
h1 { font-size: 1.5rem; margin: .3rem 0 .6rem; }
a { color: #0b5cad; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #dde1e6; vertical-align: top; }
th { background: #f3f5f7; }
td.num { text-align: right; }
.muted { color: #5b6470; }
.pager { margin: .8rem 0; display: flex; gap: 1.5rem; }
ul.links { padding-left: 1.2rem; }
code { background: #f3f5f7; padding: 0 .2rem; }
</style>
</head>
<body>
<nav class="crumbs">{{range .Breadcrumbs}}<span>{{if .Href}}<a href="{{.Href}}">{{.Title}}</a>{{else}}{{.Title}}{{end}}</span>{{end}}</nav>
<h1>{{.Title}}</h1>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{end}}

{{define "links"}}{{if .}}<h2>Links</h2>
<ul class="links">{{range .}}<li><a href="{{.Href}}">{{if .Title}}{{.Title}}{{else}}{{.Href}}{{end}}</a> <span class="muted">({{.Rel}}{{if .Type}}, {{.Type}}{{end}})</span></li>{{end}}</ul>{{end}}{{end}}

{{define "foot"}}<p class="muted">conflictmap · <a href="{{.MapPage}}">the map</a> · OGC API - Features · <a href="{{.Base}}/api?f=html">API documentation</a></p>
</body>
</html>
{{end}}

{{define "landing"}}{{template "head" .}}
<p>Add this server to QGIS or ArcGIS Pro as an OGC API - Features (WFS 3) connection with the URL <code>{{.Base}}</code>, or read it with GDAL: <code>ogr2ogr -f GPKG events.gpkg OAPIF:{{.Base}} events</code>.</p>
<ul>
<li><a href="{{.Base}}/collections?f=html">Collections</a>: the conflict events</li>
<li><a href="{{.Base}}/api?f=html">API documentation</a> (<a href="{{.Base}}/api">OpenAPI 3.0</a>)</li>
<li><a href="{{.Base}}/conformance?f=html">Conformance classes</a></li>
</ul>
{{template "links" .Links}}
{{template "foot" .}}{{end}}

{{define "conformance"}}{{template "head" .}}
<ul>{{range .ConformsTo}}<li><code>{{.}}</code></li>{{end}}</ul>
{{template "links" .Links}}
{{template "foot" .}}{{end}}

{{define "collectionSummary"}}{{with .Collection}}
<table>
<tr><th>Id</th><td><a href="{{$.Base}}/collections/{{.ID}}?f=html">{{.ID}}</a></td></tr>
<tr><th>Title</th><td>{{.Title}}</td></tr>
<tr><th>Spatial extent</th><td>{{range .Extent.Spatial.BBox}}{{bbox .}}{{end}}</td></tr>
<tr><th>Temporal extent</th><td>{{range .Extent.Temporal.Interval}}{{deref (index . 0)}} to {{deref (index . 1)}}{{end}}</td></tr>
<tr><th>CRS</th><td>{{range .CRS}}<code>{{.}}</code>{{end}}</td></tr>
<tr><th>Items</th><td><a href="{{$.Base}}/collections/{{.ID}}/items?f=html">browse</a> · <a href="{{$.Base}}/collections/{{.ID}}/items">GeoJSON</a> · <a href="{{$.Base}}/collections/{{.ID}}/items?f=csv">CSV</a> · <a href="{{$.Base}}/collections/{{.ID}}/schema">JSON Schema</a></td></tr>
</table>{{end}}{{end}}

{{define "collections"}}{{template "head" .}}
{{template "collectionSummary" .}}
{{template "links" .Links}}
{{template "foot" .}}{{end}}

{{define "collection"}}{{template "head" .}}
{{template "collectionSummary" .}}
{{template "links" .Links}}
{{template "foot" .}}{{end}}

{{define "pager"}}<div class="pager">{{if .Prev}}<a href="{{.Prev}}" rel="prev">← previous page</a>{{end}}{{if .Next}}<a href="{{.Next}}" rel="next">next page →</a>{{end}}</div>{{end}}

{{define "items"}}{{template "head" .}}
<p>{{if .Events}}Events {{.From}} to {{.To}} of {{.Matched}}{{else}}No event on this page; {{.Matched}} match{{end}}{{if .Filter}} (filter: {{.Filter}}){{end}}. Newest first.</p>
{{template "pager" .}}
{{if .Events}}<table>
<thead><tr><th>Date</th><th>Type</th><th>Sub-type</th><th>Modality</th><th>Place</th><th>Country</th><th>Actors</th><th>Fatalities</th></tr></thead>
<tbody>{{range .Events}}
<tr><td><a href="{{itemURL $.Base .ID}}">{{orDash .EventDate}}{{if and .EventDateEnd (ne .EventDateEnd .EventDate)}} – {{.EventDateEnd}}{{end}}</a></td><td>{{orDash .EventType}}</td><td>{{orDash .SubEventType}}</td><td>{{orDash .Modality}}</td><td>{{orDash .Location}}</td><td>{{orDash .Country}}</td><td>{{orDash .Actor1}}{{if .Actor2}} vs {{.Actor2}}{{end}}</td><td class="num">{{fatalities .Fatalities}}</td></tr>{{end}}
</tbody>
</table>{{end}}
{{template "pager" .}}
{{template "links" .Links}}
{{template "foot" .}}{{end}}

{{define "item"}}{{template "head" .}}
<table>{{range .Props}}
<tr><th>{{.Name}}</th><td>{{if .Link}}<a href="{{.Value}}" rel="noopener noreferrer">{{.Value}}</a>{{else}}{{.Value}}{{end}}</td></tr>{{end}}
</table>
{{template "links" .Links}}
{{template "foot" .}}{{end}}

{{define "api"}}{{template "head" .}}
{{with .API}}<p>{{.Info.Description}} The machine-readable definition is <a href="{{$.Base}}/api">OpenAPI {{.OpenAPI}}</a>; every path below is relative to <code>{{(index .Servers 0).URL}}</code>.</p>
{{range $path, $item := .Paths}}<h2><code>GET {{$path}}</code></h2>
<p>{{$item.Get.Summary}}.{{if $item.Get.Description}} {{$item.Get.Description}}{{end}}</p>
{{if $item.Get.Parameters}}<table><thead><tr><th>Parameter</th><th>In</th><th>Schema</th><th>Meaning</th></tr></thead><tbody>
{{range $item.Get.Parameters}}<tr><td><code>{{.Name}}</code>{{if .Required}} (required){{end}}</td><td>{{.In}}</td><td>{{.Summary}}</td><td>{{.Description}}</td></tr>
{{end}}</tbody></table>{{end}}
{{end}}{{end}}
{{template "links" .Links}}
{{template "foot" .}}{{end}}
`
