package collector

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Progress is a moment's view of a running collection.
type Progress struct {
	Accounts, AccountsDone int
	Tasks, TasksDone       int
	Calls                  int
	Resources              int
	Errors                 int
}

// Stats counts calls per account and per operation. Operations are named
// "<service id>:<operation>", e.g. "S3:GetBucketPolicy".
type Stats struct {
	accounts, accountsDone atomic.Int64
	tasks, tasksDone       atomic.Int64
	calls, attempts        atomic.Int64
	resources, errors      atomic.Int64

	mu        sync.Mutex
	perAcct   map[string]int
	perOp     map[string]int
	attemptsA map[string]int
}

func newStats() *Stats {
	return &Stats{perAcct: map[string]int{}, perOp: map[string]int{}, attemptsA: map[string]int{}}
}

func (s *Stats) progress() Progress {
	return Progress{
		Accounts: int(s.accounts.Load()), AccountsDone: int(s.accountsDone.Load()),
		Tasks: int(s.tasks.Load()), TasksDone: int(s.tasksDone.Load()),
		Calls: int(s.calls.Load()), Resources: int(s.resources.Load()), Errors: int(s.errors.Load()),
	}
}

func (s *Stats) setAccounts(n int) { s.accounts.Store(int64(n)) }
func (s *Stats) accountDone()      { s.accountsDone.Add(1) }
func (s *Stats) taskAdded()        { s.tasks.Add(1) }
func (s *Stats) taskDone()         { s.tasksDone.Add(1) }
func (s *Stats) resourceSeen()     { s.resources.Add(1) }
func (s *Stats) errorSeen()        { s.errors.Add(1) }

// CallsPerAccount returns the operations invoked for each account (retries not counted).
func (s *Stats) CallsPerAccount() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.perAcct))
	for k, v := range s.perAcct {
		out[k] = v
	}
	return out
}

// AttemptsPerAccount returns the HTTP requests sent for each account (retries counted).
func (s *Stats) AttemptsPerAccount() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.attemptsA))
	for k, v := range s.attemptsA {
		out[k] = v
	}
	return out
}

// Operations returns every operation invoked, sorted, with its count.
func (s *Stats) Operations() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.perOp))
	for k, v := range s.perOp {
		out[k] = v
	}
	return out
}

// OperationNames returns the sorted names of every operation invoked.
func (s *Stats) OperationNames() []string {
	ops := s.Operations()
	names := make([]string, 0, len(ops))
	for k := range ops {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// middleware counts operations (Initialize: once per call) and attempts
// (Finalize, after the retry loop: once per HTTP request) for one account.
func (s *Stats) middleware(account string) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		if err := st.Initialize.Add(middleware.InitializeMiddlewareFunc("iamreachCountCalls",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				op := awsmiddleware.GetServiceID(ctx) + ":" + awsmiddleware.GetOperationName(ctx)
				s.calls.Add(1)
				s.mu.Lock()
				s.perAcct[account]++
				s.perOp[op]++
				s.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.After); err != nil { // after the SDK has set the service and operation names
			return err
		}
		return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("iamreachCountAttempts",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				s.attempts.Add(1)
				s.mu.Lock()
				s.attemptsA[account]++
				s.mu.Unlock()
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}
