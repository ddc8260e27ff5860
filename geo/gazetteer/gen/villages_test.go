package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// geonamesRow writes one row in GeoNames' 19-column layout.
func geonamesRow(id, name, alts, lat, lon, class, fc, cc, a1, a2, pop string) string {
	return strings.Join([]string{id, name, name, alts, lat, lon, class, fc, cc, "", a1, a2, "", "", pop, "", "300", "Africa/Lagos", "2018-01-01"}, "\t") + "\n"
}

func TestVillagesFromWOFAndGeoNames(t *testing.T) {
	dir := t.TempDir()
	wof := filepath.Join(dir, "wof")
	os.MkdirAll(wof, 0o755)
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(wof, "NG.txt"),
		geonamesRow("2335727", "Kaduna", "", "10.52641", "7.43879", "P", "PPLA", "NG", "23", "", "1582102")+ // in the core tier
			geonamesRow("-5", "Kaduna", "", "10.53", "7.44", "P", "PPL", "NG", "23", "", "0")+ // a core place again, under another id
			geonamesRow("9000001", "Tudun Wada Gari", "Tudun-Wada Gari,تودون", "10.9", "6.5", "P", "PPL", "NG", "23", "", "0")+
			geonamesRow("-6", "Tudun Wada Gari", "", "10.901", "6.501", "P", "PPL", "NG", "23", "", "0")+ // the same village again
			geonamesRow("9000002", "Old Gidan", "", "11.0", "6.6", "P", "PPLQ", "NG", "23", "", "0")+
			geonamesRow("9000003", "Kaduna State", "", "10.3", "7.7", "A", "ADM1", "NG", "23", "", "0")+
			geonamesRow("9000004", "Gidan Misfiled", "", "47.9", "39.8", "P", "PPL", "RU", "61", "", "0"))
	write(filepath.Join(wof, "NG.wof.tsv"), "geonameid\twof_id\twof_placetype\tregion_name\tcounty_name\tsrc_geom\tmz_is_current\n"+
		"9000001\t1\tlocality\tKaduna\tBirnin-Gwari\tgeonames\t-1\n"+
		"9000002\t2\tlocality\tKaduna\tGiwa\tgeonames\t0\n")
	dump := filepath.Join(dir, "NG-dump.txt")
	write(dump,
		geonamesRow("9000001", "Tudun Wada Gari", "Tudun Wada", "10.9", "6.5", "P", "PPL", "NG", "23", "19001", "120")+ // newer row of a WOF village
			geonamesRow("9000010", "Birnin Gwari", "", "10.7", "6.6", "A", "ADM2", "NG", "23", "19001", "0")+
			geonamesRow("9000011", "Unguwan Sarki", "", "10.8", "6.4", "P", "PPL", "NG", "23", "19001", "0"))
	codes := filepath.Join(dir, "admin1CodesASCII.txt")
	write(codes, "NG.23\tKaduna\tKaduna\t2335722\n")
	out := filepath.Join(dir, "villages")
	st, err := runVillages(villageConfig{wof: wof, geonames: []string{dump}, adminCodes: []string{codes}, core: "../data/gazetteer.tsv.gz", out: out})
	if err != nil {
		t.Fatal(err)
	}
	if st.inCore != 1 || st.nearCore != 1 || st.dupes != 1 {
		t.Errorf("left out %d by id, %d near a core place, %d duplicates; want 1, 1, 1 (%s)", st.inCore, st.nearCore, st.dupes, st)
	}
	ents, _ := os.ReadDir(out)
	if len(ents) != 1 || ents[0].Name() != "NG.tsv.gz" {
		t.Fatalf("files %v, want NG.tsv.gz only (the misfiled row is dropped)", ents)
	}
	fh, _ := os.Open(filepath.Join(out, "NG.tsv.gz"))
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	text := string(raw)
	for _, want := range []string{
		"conflictmap-villages\t1\tNG\n@places\t4\n",
		"\tTudun Wada Gari\tPPL\t23\t19001\t10.9\t6.5\t120\tKaduna\tBirnin-Gwari\n", // the dump's row, the side file's names
		"\tOld Gidan\tPPLQ\t23\t\t11\t6.6\t0\tKaduna\tGiwa\n",
		"\tBirnin Gwari\tADM2\t23\t19001\t",
		"\tUnguwan Sarki\tPPL\t23\t19001\t10.8\t6.4\t0\tKaduna\tBirnin Gwari\n", // names from admin codes and the ADM2 row
		"\ntudun wada\t", "\ntudun wada gari\t",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("village file lacks %q:\n%s", want, text)
		}
	}
	for _, bad := range []string{"Kaduna\tPPL", "Kaduna State", "Misfiled", "تودون"} {
		if strings.Contains(text, bad) {
			t.Errorf("village file holds %q:\n%s", bad, text)
		}
	}
}
