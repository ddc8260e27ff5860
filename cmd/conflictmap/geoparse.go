package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/extract"
	"conflictmap/geo/gazetteer"
)

func runGeoparse(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "geoparse", "geoparse [--published YYYY-MM-DD] [--jsonl] [--workers N] [--baseline population] FILE|-",
		"Prints every place mention of a text, in text order, with the place it resolves to and its\n"+
			"role: event, context, descriptor, actor, dateline, origin, destination, name or other. It is\n"+
			"the reading 'extract' makes of the same text (a mention is an event exactly where extract\n"+
			"reads an event). Offsets are Unicode code points, end exclusive.\n\n"+
			"Without --jsonl, FILE is one plain text and the output is a GeoJSON FeatureCollection, one\n"+
			"feature per mention (geometry null when the gazetteer does not hold the place).\n"+
			"With --jsonl, FILE holds one JSON document per line, {\"id\": ..., \"text\": ...} (an optional\n"+
			"\"published\"; other fields are ignored), and each line out is {\"id\": ..., \"toponyms\":\n"+
			"[{\"start\", \"end\", \"mention\", \"lat\", \"lon\", \"geonameid\", \"role\", ...}]} in input order.\n"+
			"The gazetteer is loaded once; progress goes to stderr. A line that cannot be read is\n"+
			"reported on stderr, answered with an \"error\" member, and makes the exit status 1.\n"+
			"- reads from stdin.")
	published := fs.String("published", "", "publication date YYYY-MM-DD (with --jsonl: for lines without one); dates decide which mentions are events")
	jsonl := fs.Bool("jsonl", false, "read JSON lines {\"id\", \"text\"} and write one line of toponyms per document")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "documents read at once with --jsonl")
	baseline := fs.String("baseline", "", "\"population\": resolve each recognised name to the most populous place of that name (a baseline to measure the resolution against)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.Stderr, "geoparse: want exactly one FILE (or - for stdin)")
		fs.Usage()
		return errUsage
	}
	if *published != "" {
		if _, err := time.Parse(geo.DateLayout, *published); err != nil {
			return fmt.Errorf("geoparse: --published %q is not a date, want YYYY-MM-DD", *published)
		}
	}
	if *baseline != "" && *baseline != "population" {
		return fmt.Errorf("geoparse: --baseline %q: the one baseline is \"population\"", *baseline)
	}
	if *workers < 1 {
		return fmt.Errorf("geoparse: --workers %d: want at least 1", *workers)
	}
	if *jsonl {
		return geoparseLines(ctx, env, fs.Arg(0), *published, *workers, *baseline != "")
	}
	text, err := readArticleText(env, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("geoparse: %w", err)
	}
	gaz, err := gazetteer.Load()
	if err != nil {
		return fmt.Errorf("geoparse: loading the gazetteer: %w", err)
	}
	x := extract.New(gaz)
	ms, err := x.Geoparse(geo.Article{Published: *published, Text: text})
	if err == nil && *baseline != "" {
		ms = x.PopulationBaseline(ms)
	}
	if err != nil {
		if geo.ErrorCode(err) == geo.EINTERNAL {
			return fmt.Errorf("geoparse: %w", err)
		}
		return fmt.Errorf("geoparse: %s", geo.ErrorMessage(err))
	}
	b, err := json.MarshalIndent(extract.MentionFeatures(ms), "", " ")
	if err != nil {
		return fmt.Errorf("geoparse: encoding mentions: %w", err)
	}
	_, err = env.Stdout.Write(append(b, '\n'))
	return err
}

// toponymJSON is one mention of a --jsonl answer, in the shape the
// geoparsing scorers read.
type toponymJSON struct {
	Start        int      `json:"start"`
	End          int      `json:"end"`
	Mention      string   `json:"mention"`
	Lat          *float64 `json:"lat"`
	Lon          *float64 `json:"lon"`
	GeonameID    *int64   `json:"geonameid"`
	Role         string   `json:"role"`
	Location     *string  `json:"location"`
	CountryCode  *string  `json:"country_code"`
	Admin1       *string  `json:"admin1"`
	FeatureCode  *string  `json:"feature_code"`
	GeoPrecision *int     `json:"geo_precision"`
	Confidence   *float64 `json:"confidence"`
}

func toponymsJSON(ms []extract.PlaceMention) []toponymJSON {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	out := make([]toponymJSON, 0, len(ms))
	for _, m := range ms {
		t := toponymJSON{Start: m.Start, End: m.End, Mention: m.Text, Role: string(m.Role)}
		if p := m.Place; p != nil {
			lat, lon := p.Point.Lat(), p.Point.Lon()
			t.Lat, t.Lon = &lat, &lon
			if p.GeonameID != 0 {
				id := p.GeonameID
				t.GeonameID = &id
			}
			t.Location, t.CountryCode, t.Admin1, t.FeatureCode = opt(p.Name), opt(p.CountryCode), opt(p.Admin1), opt(p.FeatureCode)
			gp := m.GeoPrecision
			t.GeoPrecision = &gp
			if m.Confidence > 0 {
				c := m.Confidence
				t.Confidence = &c
			}
		}
		out = append(out, t)
	}
	return out
}

// docLine is one input line of --jsonl.
type docLine struct {
	ID        json.RawMessage `json:"id"`
	Text      *string         `json:"text"`
	Published string          `json:"published"`
}

// docJob is one line to read, numbered from 1.
type docJob struct {
	n    int
	line []byte
	out  chan []byte // the answer line, then closed
	err  error
}

// geoparseLines answers a file of JSON lines, line by line, in input order,
// with workers documents in flight at once.
func geoparseLines(ctx context.Context, env *Env, name, published string, workers int, baseline bool) error {
	var in io.Reader = env.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("geoparse: %w", err)
		}
		defer f.Close()
		in = f
	}
	gaz, err := gazetteer.Load()
	if err != nil {
		return fmt.Errorf("geoparse: loading the gazetteer: %w", err)
	}
	x := extract.New(gaz)
	out := bufio.NewWriterSize(env.Stdout, 1<<16)
	start := time.Now()

	jobs := make(chan *docJob, workers)
	order := make(chan *docJob, 4*workers)
	for range workers {
		go func() {
			for j := range jobs {
				j.out <- geoparseLine(x, j, published, baseline)
				close(j.out)
			}
		}()
	}
	var readErr error
	go func() {
		defer close(order)
		defer close(jobs)
		br := bufio.NewReaderSize(in, 1<<20)
		for n := 1; ctx.Err() == nil; n++ {
			line, err := readLine(br, extract.MaxTextBytes*2)
			if len(bytes.TrimSpace(line)) > 0 || err == errLineTooLong {
				j := &docJob{n: n, line: line, out: make(chan []byte, 1)}
				if err == errLineTooLong {
					j.err = err
				}
				order <- j
				jobs <- j
			}
			if err != nil && err != errLineTooLong {
				if err != io.EOF {
					readErr = err
				}
				return
			}
		}
	}()
	docs, toponyms, failed := 0, 0, 0
	lastReport := time.Now()
	for j := range order {
		b := <-j.out
		if _, err := out.Write(b); err != nil {
			return fmt.Errorf("geoparse: writing: %w", err)
		}
		docs++
		if j.err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "geoparse: %s:%d: %v\n", name, j.n, j.err)
		} else {
			toponyms += bytes.Count(b, []byte(`"start":`))
		}
		if time.Since(lastReport) >= 2*time.Second {
			lastReport = time.Now()
			fmt.Fprintf(env.Stderr, "geoparse: %d documents, %d toponyms (%.0f documents/s)\n", docs, toponyms, float64(docs)/time.Since(start).Seconds())
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("geoparse: writing: %w", err)
	}
	if readErr != nil {
		return fmt.Errorf("geoparse: reading %s: %w", name, readErr)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("geoparse: interrupted after %d documents: %w", docs, err)
	}
	el := time.Since(start).Seconds()
	fmt.Fprintf(env.Stderr, "geoparse: done: %d documents, %d toponyms in %.1fs (%.0f documents/s), %d failed\n", docs, toponyms, el, float64(docs)/el, failed)
	if failed > 0 {
		return fmt.Errorf("geoparse: %d of %d documents could not be read", failed, docs)
	}
	return nil
}

var errLineTooLong = errors.New("line longer than the limit of a document")

// readLine reads one line without its line break, up to limit bytes; past
// the limit the rest of the line is skipped and errLineTooLong returned.
func readLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) <= limit {
			line = append(line, chunk...)
		} else {
			line = line[:0]
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err == nil || err == io.EOF {
				return nil, errLineTooLong
			}
			return nil, err
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(line) > 0 {
			err = nil
		}
		return bytes.TrimRight(line, "\r\n"), err
	}
}

// geoparseLine answers one input line; a line that cannot be read is
// answered {"id", "toponyms": [], "error"} and its job's err set.
func geoparseLine(x *extract.Extractor, j *docJob, published string, baseline bool) []byte {
	var d docLine
	fail := func(err error) []byte {
		j.err = err
		id := d.ID
		if len(id) == 0 {
			id = json.RawMessage("null")
		}
		b, _ := json.Marshal(struct {
			ID       json.RawMessage `json:"id"`
			Toponyms []toponymJSON   `json:"toponyms"`
			Error    string          `json:"error"`
		}{id, []toponymJSON{}, err.Error()})
		return append(b, '\n')
	}
	if j.err != nil {
		return fail(j.err)
	}
	if err := json.Unmarshal(j.line, &d); err != nil {
		return fail(fmt.Errorf("not a JSON object {\"id\", \"text\"}: %v", err))
	}
	if len(d.ID) == 0 {
		d.ID = json.RawMessage("null")
	}
	if d.Text == nil {
		return fail(errors.New("no \"text\" member"))
	}
	pub := published
	if d.Published != "" {
		pub = d.Published
		if len(pub) > len(geo.DateLayout) {
			pub = pub[:len(geo.DateLayout)] // an RFC 3339 timestamp's day
		}
	}
	ms, err := x.Geoparse(geo.Article{Published: pub, Text: *d.Text})
	if err != nil {
		return fail(errors.New(geo.ErrorMessage(err)))
	}
	if baseline {
		ms = x.PopulationBaseline(ms)
	}
	b, err := json.Marshal(struct {
		ID       json.RawMessage `json:"id"`
		Toponyms []toponymJSON   `json:"toponyms"`
	}{d.ID, toponymsJSON(ms)})
	if err != nil {
		return fail(err)
	}
	return append(b, '\n')
}
