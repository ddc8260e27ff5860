// Command conflictmap turns news reports into a map of conflict events: it
// extracts events from articles, stores them, and serves them as GeoJSON,
// OGC API - Features and an interactive map.
//
// Configuration is read here only (flags, each with an environment
// fallback) and passed down as struct fields.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand of the conflictmap binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// Env is what a subcommand may touch of the outside world, so that tests run
// commands in-process with their own streams and environment.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

func commands() []command {
	return []command{
		{"extract", "print the events of one article as GeoJSON, touching no store", runExtract},
		{"serve", "serve the events API and the map page", runServe},
		{"ingest", "send article files to a running server", runIngest},
		{"delete", "remove articles and their events from a running server", runDelete},
		{"reextract", "re-run the current extractor over every stored article", runReextract},
		{"import", "load event files made elsewhere (our GeoJSON/CSV, ACLED, UCDP GED) into the store", runImport},
		{"geoparse", "print every place mention of a text with its place and role", runGeoparse},
		{"eval", "score the extractor against gold files (../shared/eval/FORMAT.md)", runEval},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	err := Main(ctx, env, os.Args[1:])
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) && !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "conflictmap:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errUsage marks an error whose message has already been printed with usage.
var errUsage = errors.New("usage")

func exitCode(err error) int {
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// Main runs the subcommand named by args[0].
func Main(ctx context.Context, env *Env, args []string) error {
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: conflictmap COMMAND [flags] [args]")
		fmt.Fprintln(w, "\nCommands:")
		for _, c := range cmds {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
		fmt.Fprintln(w, "\nRun 'conflictmap COMMAND --help' for a command's flags.")
	}
	if len(args) == 0 {
		usage(env.Stderr)
		return errUsage
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		usage(env.Stdout)
		return nil
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "conflictmap: unknown command %q\n\n", args[0])
	usage(env.Stderr)
	return errUsage
}

// newFlagSet returns a flag set for a subcommand that prints its usage line
// and flags on --help and on errors.
func newFlagSet(env *Env, name, usageLine, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: conflictmap %s\n\n%s\n\nFlags:\n", usageLine, description)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning a bad flag into errUsage (already printed)
// and --help into flag.ErrHelp with usage printed to stdout.
func parseFlags(env *Env, fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(env.Stdout)
			fs.Usage()
			return flag.ErrHelp
		}
		if a == "--" {
			break
		}
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	return nil
}

// envOr returns the environment variable's value, or def when it is unset or empty.
func envOr(env *Env, name, def string) string {
	if v := env.Getenv(name); v != "" {
		return v
	}
	return def
}
