package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/check"
)

const checkUsage = `pixiebrix-fake check calls every read operation a token can reach, at
versions 1.0, 1.1 and 2.0, and reports where the answers differ from the
contract (openapi.yaml: statuses, Link, X-Total-Count, Content-Type and
X-Request-Id headers, bodies; fields sent that the contract lacks, required
fields left out) and from the fake's declared deviations.

With --writes TEAM_ID it also CHANGES THAT TEAM: it creates a group and a
campaign (named "pixiebrix-fake check …"), adds and removes the caller in
them, changes one member's role and back, then deletes what it created; it
runs the same writes on a fake seeded from a recording of the server and
reports every answer that differs. The token must be an admin of the team.

Usage:
  pixiebrix-fake check --url URL --token TOKEN [--writes TEAM_ID] [--json]

Exit status 0 means nothing differs, 3 that something does, 1 that the
check could not run (a clear message says why), 2 a bad flag.

Flags:
`

func runCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	var conn connection
	conn.flags(fs)
	var (
		writes  string
		asJSON  bool
		perList int
		verbose bool
	)
	fs.StringVar(&writes, "writes", "", "also run the write scenario on this team (`TEAM_ID`); it changes the team, then restores it")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.IntVar(&perList, "per-list", 5, "how many single objects of each list to read (0: all)")
	fs.BoolVar(&verbose, "v", false, "a progress line per operation on stderr")
	if status := parseSubcommand(fs, checkUsage, args, stdout, stderr); status >= 0 {
		return status
	}
	client, err := conn.client(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake check:", err)
		return 2
	}
	opts := check.Options{PerList: perList, WritesTeam: writes}
	if verbose {
		opts.Progress = stderr
	}
	if writes != "" {
		fmt.Fprintf(stderr, "pixiebrix-fake check: --writes changes team %s (it restores what it changes)\n", writes)
	}
	report, err := check.Run(ctx, client, opts)
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake check:", err)
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(report)
	} else {
		report.WriteText(stdout)
	}
	if len(report.Findings) > 0 {
		return 3
	}
	return 0
}
