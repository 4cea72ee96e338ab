package neo4j

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// SetDeleteBatch sets how many nodes each transaction of a generation's
// removal deletes, and returns a function restoring the previous value.
func SetDeleteBatch(n int) (restore func()) {
	old := deleteBatch
	deleteBatch = n
	return func() { deleteBatch = old }
}

// Test hooks: they let the tests show that each guard of RunReadCypher
// holds on its own against the real server.

// RunWithoutLexicalCheck runs RunReadCypher's server-side guards only
// (EXPLAIN plan check + read transaction).
func (s *Store) RunWithoutLexicalCheck(ctx context.Context, q string) error {
	_, err := readTx(ctx, s, func(ctx context.Context, tx neo4j.ManagedTransaction) (struct{}, error) {
		plan, err := tx.Run(ctx, "EXPLAIN "+q, nil)
		if err != nil {
			return struct{}{}, err
		}
		sum, err := plan.Consume(ctx)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, planCheck(sum)
	})
	return err
}

// RunInReadTx runs q in a read-mode session and read transaction with no
// other guard, to show the server itself refuses writes there.
func (s *Store) RunInReadTx(ctx context.Context, q string) error {
	_, err := readTx(ctx, s, func(ctx context.Context, tx neo4j.ManagedTransaction) (struct{}, error) {
		r, err := tx.Run(ctx, q, nil)
		if err != nil {
			return struct{}{}, err
		}
		_, err = r.Consume(ctx)
		return struct{}{}, err
	})
	return err
}

// ExecWrite runs a write statement (test setup only).
func (s *Store) ExecWrite(ctx context.Context, q string, params map[string]any) error {
	return s.writeRows(ctx, "test write", q, params)
}

// ClassifyForTest exposes the error classifier.
func (s *Store) ClassifyForTest(err error) error { return s.classify("test", err) }

// UseStaticLabels makes loads use one query per label, as they do on
// servers without dynamic labels.
func (s *Store) UseStaticLabels() { s.staticLabels = true }
