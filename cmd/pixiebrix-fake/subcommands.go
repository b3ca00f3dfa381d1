package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/apiclient"
)

// subcommandFunc runs one subcommand with the arguments after its name and
// returns the exit status.
type subcommandFunc func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int

// subcommand splits off the subcommand that args start with. serve, the
// default, runs when args start with a flag or are empty (nil, with the
// arguments serve reads).
func subcommand(args []string) (subcommandFunc, []string) {
	if len(args) == 0 {
		return nil, args
	}
	switch args[0] {
	case "serve":
		return nil, args[1:]
	case "record":
		return runRecord, args[1:]
	case "check":
		return runCheck, args[1:]
	}
	return nil, args
}

// connection holds the flags that name the server and the token, shared by
// record and check.
type connection struct {
	url, token string
}

func (c *connection) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.url, "url", "", "base URL of the API, such as https://app.pixiebrix.com [PIXIEBRIX_URL]")
	fs.StringVar(&c.token, "token", "", "API token; prefer the variable, which stays out of the process list [PIXIEBRIX_TOKEN]")
}

// client makes the API client, with the environment filling in what the
// command line left out.
func (c *connection) client(getenv func(string) string) (*apiclient.Client, error) {
	if c.url == "" {
		c.url = getenv("PIXIEBRIX_URL")
	}
	if c.token == "" {
		c.token = getenv("PIXIEBRIX_TOKEN")
	}
	switch {
	case c.url == "":
		return nil, errors.New("no server: give --url or PIXIEBRIX_URL")
	case c.token == "":
		return nil, errors.New("no token: give --token or PIXIEBRIX_TOKEN")
	case strings.ContainsAny(c.token, " \t\r\n"):
		return nil, errors.New("the token holds white space")
	}
	return apiclient.New(c.url, c.token, nil)
}

// parseSubcommand parses a subcommand's flags; help is printed on stdout.
// It returns the exit status to end with, or -1 to go on.
func parseSubcommand(fs *flag.FlagSet, usage string, args []string, stdout, stderr io.Writer) int {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "pixiebrix-fake %s: %v (see --help)\n", fs.Name(), err)
		return 2
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "pixiebrix-fake %s: unexpected argument %q (see --help)\n", fs.Name(), fs.Arg(0))
		return 2
	}
	return -1
}
