package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
)

// TestCalibrate: the line says what was measured and how fast, best and
// middle run, and the entries read are those of a quarter of the columns.
func TestCalibrate(t *testing.T) {
	var out bytes.Buffer
	if err := calibrate(t.Context(), []string{"--mb", "1", "--rows", "2000", "--runs", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^calibration: a random load from 1 MB ([0-9.]+), ([0-9.]+) ns \(best, middle\); ([0-9]+) SQLite index entries to the program ([0-9.]+), ([0-9.]+) ms; a first write to a page of new memory ([0-9.]+), ([0-9.]+) µs\n$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("calibrate printed %q", out.String())
	}
	for _, pair := range [][2]string{{m[1], m[2]}, {m[4], m[5]}, {m[6], m[7]}} {
		best, _ := strconv.ParseFloat(pair[0], 64)
		middle, _ := strconv.ParseFloat(pair[1], 64)
		if best <= 0 || middle < best {
			t.Errorf("best %s, middle %s: want 0 < best <= middle", pair[0], pair[1])
		}
	}
	if n, _ := strconv.Atoi(m[3]); n < 300 || n > 700 {
		t.Errorf("%d entries read of 2,000 rows in 100 columns, 25 of them read: want about 500", n)
	}
	if err := calibrate(t.Context(), []string{"--runs", "0"}, &out); err == nil {
		t.Error("--runs 0: no error")
	}
}
