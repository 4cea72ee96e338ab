package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/iamreach/iamreach/graph"
)

// ErrorCode is the closed set of error codes in an error body.
type ErrorCode string

const (
	CodeBadRequest       ErrorCode = "bad_request"
	CodeNotFound         ErrorCode = "not_found"
	CodeUnauthorized     ErrorCode = "unauthorized"
	CodeMethodNotAllowed ErrorCode = "method_not_allowed"
	CodeUnavailable      ErrorCode = "unavailable"
	CodeInternal         ErrorCode = "internal"
	CodeTimeout          ErrorCode = "timeout"
)

// ErrorBody is the body of every error response:
// {"error": {"code": "…", "message": "…"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong.
type ErrorDetail struct {
	Code    ErrorCode `json:"code"`
	Message string    `json:"message"`
}

// httpError is an error with the status and code the client gets. Its
// message is shown to the client as is, so it never carries internals.
type httpError struct {
	status  int
	code    ErrorCode
	message string
}

func (e *httpError) Error() string { return e.message }

func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, code: CodeBadRequest, message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &httpError{status: http.StatusNotFound, code: CodeNotFound, message: fmt.Sprintf(format, args...)}
}

// classify maps any handler error to the status, code and message the
// client sees. Errors not known here are internal: their text is logged,
// not shown.
func classify(err error) (status int, code ErrorCode, message string, internal bool) {
	var he *httpError
	switch {
	case errors.As(err, &he):
		return he.status, he.code, he.message, false
	case errors.Is(err, graph.ErrNotFound):
		return http.StatusNotFound, CodeNotFound, err.Error(), false
	case errors.Is(err, graph.ErrUnavailable):
		return http.StatusServiceUnavailable, CodeUnavailable, "the graph store is unavailable; try again later", true
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, CodeTimeout, "the query took longer than the server allows; narrow it (lower maxDepth or limit, add filters)", false
	default:
		return http.StatusInternalServerError, CodeInternal, "internal error; see the server log", true
	}
}

// writeError renders err as the JSON error body. Internal errors are
// logged with the request they belong to. When the store is down and the
// server has no token (so it is bound to loopback and the caller is the
// operator), the message says why, e.g. which Neo4j does not answer.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error, operator bool) {
	status, code, msg, internal := classify(err)
	if code == CodeUnavailable && operator {
		msg = "the graph store is unavailable: " + err.Error()
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away; nobody reads the answer.
		log.DebugContext(r.Context(), "request cancelled by client", "method", r.Method, "path", r.URL.Path)
		return
	}
	if internal {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	writeErrorBody(w, status, code, msg)
}

func writeErrorBody(w http.ResponseWriter, status int, code ErrorCode, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorBody{Error: ErrorDetail{Code: code, Message: msg}})
}
