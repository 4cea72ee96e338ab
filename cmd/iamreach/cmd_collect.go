package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"

	"github.com/iamreach/iamreach/collector"
	"github.com/iamreach/iamreach/snapshot"
)

func runCollect(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("collect", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	profile := fs.String("profile", "", "AWS shared config `profile` (default: the SDK's usual chain)")
	regions := fs.String("regions", "", "comma-separated `regions` (default: every region enabled in each account)")
	accounts := fs.String("accounts", "", "comma-separated account `IDs` to collect (default: all)")
	exclude := fs.String("exclude-accounts", "", "comma-separated account `IDs` to skip")
	services := fs.String("services", "", "comma-separated `services` (default: all of "+strings.Join(collector.ServiceNames(), ",")+")")
	roleName := fs.String("role-name", collector.DefaultRoleName, "`role` assumed in each member account")
	noOrg := fs.Bool("no-org", false, "do not read AWS Organizations; collect only the caller's account")
	out := fs.String("o", "snapshot.json", "snapshot `file` to write (.gz to compress)")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	jsonLog := fs.Bool("json-log", false, "log as JSON lines on stderr (no progress display)")
	endpoint := fs.String("endpoint-url", "", "send every AWS call to this `URL` (an emulator such as moto)")
	callTimeout := fs.Duration("call-timeout", 60*time.Second, "timeout per API call, retries included")
	accountPar := fs.Int("account-concurrency", 4, "accounts collected at once")
	taskPar := fs.Int("task-concurrency", 8, "service×region tasks at once per account")
	lastAccessed := fs.Bool("last-accessed", false, "also read IAM's last-accessed report (action level) for every user and role: 2+ IAM calls per principal")
	lastAccessedPar := fs.Int("last-accessed-concurrency", 4, "last-accessed report jobs at once per account (with --last-accessed)")
	lastAccessedWait := fs.Duration("last-accessed-timeout", 5*time.Minute, "how long one last-accessed report job may take before it is a gap (with --last-accessed)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: iamreach collect [flags]\n\nReads an AWS organization (or one account) into a snapshot with read-only calls;\nthe IAM policy it needs is docs/collector-policy.json. Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; see iamreach collect -h)", fs.Arg(0))
	}
	if *endpoint == "" {
		// The SDK honours AWS_ENDPOINT_URL itself; the collector must know too
		// (path-style S3, no S3 Control host prefix).
		*endpoint = e.getenv("AWS_ENDPOINT_URL")
	}

	loadOpts := []func(*config.LoadOptions) error{
		// A profile with mfa_serial asks for the code on the terminal.
		config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) { o.TokenProvider = stscreds.StdinTokenProvider }),
	}
	if *profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(*profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		var np config.SharedConfigProfileNotExistError
		if errors.As(err, &np) {
			return fmt.Errorf("AWS profile %q not found in ~/.aws/config or ~/.aws/credentials: pass an existing --profile", np.Profile)
		}
		return fmt.Errorf("load AWS configuration: %v", err)
	}

	terminal := isTerminal(e.stderr) && !*jsonLog && !*quiet
	var logger *slog.Logger
	switch {
	case *quiet:
		logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	case *jsonLog:
		logger = slog.New(slog.NewJSONHandler(e.stderr, nil))
	case terminal:
		logger = slog.New(slog.DiscardHandler) // the progress line and the summary say it all
	default:
		logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	}

	c, err := collector.New(cfg, collector.Options{
		Regions: splitList(*regions), Accounts: splitList(*accounts), ExcludeAccounts: splitList(*exclude),
		Services: splitList(*services), RoleName: *roleName, NoOrg: *noOrg, EndpointURL: *endpoint,
		CallTimeout: *callTimeout, AccountConcurrency: *accountPar, ServiceConcurrency: *taskPar, Logger: logger,
		LastAccessed: *lastAccessed, LastAccessedConcurrency: *lastAccessedPar, LastAccessedWait: *lastAccessedWait,
	})
	if err != nil {
		return err
	}

	start := time.Now()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	if terminal {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					fmt.Fprint(e.stderr, "\r\033[K")
					return
				case <-t.C:
					p := c.Progress()
					fmt.Fprintf(e.stderr, "\r\033[Kaccounts %d/%d · tasks %d/%d · calls %d · resources %d · errors %d · %s",
						p.AccountsDone, p.Accounts, p.TasksDone, p.Tasks, p.Calls, p.Resources, p.Errors, time.Since(start).Round(time.Second))
				}
			}
		}()
	}
	snap, runErr := c.Run(ctx)
	close(stop)
	wg.Wait()
	if snap == nil {
		return runErr
	}
	if err := snapshot.WriteFile(*out, snap); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	if !*quiet {
		printCollectSummary(e.stderr, snap, c.Stats(), *out, time.Since(start))
	}
	if runErr != nil {
		return fmt.Errorf("interrupted: wrote what was collected to %s, marked incomplete", *out)
	}
	return nil
}

func printCollectSummary(w io.Writer, s *snapshot.Snapshot, st *collector.Stats, out string, elapsed time.Duration) {
	var roles, users, resources int
	for _, a := range s.Accounts {
		roles += len(a.Roles)
		users += len(a.Users)
		resources += len(a.Resources)
	}
	calls := 0
	for _, n := range st.CallsPerAccount() {
		calls += n
	}
	fmt.Fprintf(w, "collected %d account(s): %d users, %d roles, %d resources; %d API calls in %s → %s\n",
		len(s.Accounts), users, roles, resources, calls, elapsed.Round(time.Millisecond), out)
	if len(s.Gaps) == 0 {
		return
	}
	type key struct{ code, service, op string }
	count := map[key]int{}
	example := map[key]snapshot.Gap{}
	for _, g := range s.Gaps {
		k := key{g.Code, g.Service, g.Operation}
		if count[k] == 0 {
			example[k] = g
		}
		count[k]++
	}
	keys := make([]key, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return count[keys[i]] > count[keys[j]] || count[keys[i]] == count[keys[j]] && fmt.Sprint(keys[i]) < fmt.Sprint(keys[j])
	})
	fmt.Fprintf(w, "%d call(s) failed, recorded as gaps in the snapshot:\n", len(s.Gaps))
	for _, k := range keys {
		g := example[k]
		where := strings.Trim(strings.Join([]string{g.Account, g.Region}, " "), " ")
		fmt.Fprintf(w, "  %4d × %s %s:%s — e.g. %s %s: %s\n", count[k], k.code, k.service, k.op, where, g.Resource, g.Error)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
