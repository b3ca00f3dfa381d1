package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/apiclient"
	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/record"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

const recordUsage = `pixiebrix-fake record reads, through the API, everything a token can see of
its teams (the teams, every membership, groups and their members, campaigns
and their members) and writes a fixture that makes the fake answer as that
server does: the same ids, names, roles, times, structure and counts.

Usage:
  pixiebrix-fake record --url URL --token TOKEN [--anonymize [--seed N]] [-o FILE]

The fixture goes to FILE, else to stdout. No real token is read back or
written: every account gets a generated token, printed once as one JSON line
{"tokens":{"<email>":"<token>",...}} on stdout when -o is given, else on
stderr. Progress and notes go to stderr. Exit status 1 means the server or
the token was refused (a clear message says which), 2 a bad flag.

Flags:
`

func runRecord(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	var conn connection
	conn.flags(fs)
	var (
		out       string
		anonymize bool
		seed      int64
		pageSize  int
		quiet     bool
	)
	fs.StringVar(&out, "o", "", "write the fixture to this `file` instead of stdout")
	fs.BoolVar(&anonymize, "anonymize", false, "replace names and email local parts with fake ones (the same person gets the same fake identity everywhere; domains are kept)")
	fs.Int64Var(&seed, "seed", fake.DefaultSeed, "seed of the fake identities of --anonymize")
	fs.IntVar(&pageSize, "page-size", fake.MaxPageSize, "page_size asked of each list")
	fs.BoolVar(&quiet, "quiet", false, "no progress lines on stderr")
	if status := parseSubcommand(fs, recordUsage, args, stdout, stderr); status >= 0 {
		return status
	}
	client, err := conn.client(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake record:", err)
		return 2
	}
	opts := record.Options{Anonymize: anonymize, Seed: seed, PageSize: pageSize}
	if !quiet {
		opts.Progress = stderr
	}
	var res record.Result
	if out == "" {
		res, err = record.Record(ctx, client, stdout, opts)
	} else {
		res, err = recordToFile(ctx, client, out, opts)
	}
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake record:", err)
		return 1
	}
	tokensTo := stderr
	if out != "" {
		tokensTo = stdout
	}
	if !quiet {
		fmt.Fprintf(stderr, "record: %d teams, %d memberships, %d groups, %d campaigns, %d accounts\n",
			res.Teams, res.Members, res.Groups, res.Campaigns, res.Users)
	}
	if err := res.WriteTokens(tokensTo); err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake record:", err)
		return 1
	}
	return 0
}

// recordToFile writes the fixture next to path and renames it into place,
// so that a failed recording leaves no half file.
func recordToFile(ctx context.Context, client *apiclient.Client, path string, opts record.Options) (record.Result, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return record.Result{}, err
	}
	defer os.Remove(tmp.Name())
	res, err := record.Record(ctx, client, tmp, opts)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return record.Result{}, err
	}
	return res, os.Rename(tmp.Name(), path)
}
