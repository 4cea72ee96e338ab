package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/iamreach/iamreach/graph"
)

// Format is an output format of a report.
type Format string

const (
	FormatText     Format = "text"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
)

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatText, FormatJSON, FormatMarkdown:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want text, json or markdown)", s)
}

// Write renders the report.
func (r *Report) Write(w io.Writer, f Format) error {
	switch f {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	case FormatMarkdown:
		return r.markdown(w)
	default:
		return r.text(w)
	}
}

func actionList(gs []graph.ActionGrant) string {
	var parts []string
	for _, g := range gs {
		s := g.Action
		if g.Condition != "" {
			s += " (if " + g.Condition + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func routeOf(p PathChange) string { return strings.Join(p.RouteNames, " → ") }

func (r *Report) text(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("iamreach diff: %d path(s) added, %d removed; %d finding(s) new, %d fixed, %d worse\n",
		len(r.PathsAdded), len(r.PathsRemoved), len(r.FindingsNew), len(r.FindingsFixed), len(r.FindingsWorse))
	section := func(title, sign string, ps []PathChange) {
		if len(ps) == 0 {
			return
		}
		ew.printf("\n%s:\n", title)
		for _, p := range ps {
			ew.printf("  %s %s → %s: %s\n      via %s\n", sign, p.OriginName, p.ResourceName, actionList(p.Actions), routeOf(p))
		}
	}
	section("Paths added", "+", r.PathsAdded)
	section("Paths removed", "-", r.PathsRemoved)
	fsec := func(title, sign string, fs []graph.Finding) {
		if len(fs) == 0 {
			return
		}
		ew.printf("\n%s:\n", title)
		for _, f := range fs {
			ew.printf("  %s [%s] %s: %s\n", sign, f.Severity, f.Kind, f.Title)
		}
	}
	fsec("Findings new", "+", r.FindingsNew)
	fsec("Findings fixed", "-", r.FindingsFixed)
	if len(r.FindingsWorse) > 0 {
		ew.printf("\nFindings worse:\n")
		for _, f := range r.FindingsWorse {
			ew.printf("  ! [%s, was %s] %s: %s\n", f.Severity, f.OldSeverity, f.Kind, f.Title)
		}
	}
	return ew.err
}

// mdEscape keeps table cells intact.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}

func (r *Report) markdown(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("### iamreach: access changes\n\n")
	if r.Empty() {
		ew.printf("No change in who can reach what.\n")
		return ew.err
	}
	ew.printf("**%d** path(s) added, **%d** removed · **%d** finding(s) new, **%d** fixed, **%d** worse\n",
		len(r.PathsAdded), len(r.PathsRemoved), len(r.FindingsNew), len(r.FindingsFixed), len(r.FindingsWorse))
	table := func(title string, ps []PathChange) {
		if len(ps) == 0 {
			return
		}
		ew.printf("\n#### %s\n\n| principal / workload | resource | actions | route |\n|---|---|---|---|\n", title)
		for _, p := range ps {
			ew.printf("| `%s` | `%s` | %s | %s |\n", mdEscape(p.OriginName), mdEscape(p.ResourceName), mdEscape(actionList(p.Actions)), mdEscape(routeOf(p)))
		}
	}
	table("Paths added", r.PathsAdded)
	table("Paths removed", r.PathsRemoved)
	ftable := func(title string, fs []graph.Finding) {
		if len(fs) == 0 {
			return
		}
		ew.printf("\n#### %s\n\n| severity | kind | finding |\n|---|---|---|\n", title)
		for _, f := range fs {
			ew.printf("| %s | %s | %s |\n", f.Severity, f.Kind, mdEscape(f.Title))
		}
	}
	ftable("Findings new", r.FindingsNew)
	ftable("Findings fixed", r.FindingsFixed)
	if len(r.FindingsWorse) > 0 {
		ew.printf("\n#### Findings worse\n\n| severity | was | kind | finding |\n|---|---|---|---|\n")
		for _, f := range r.FindingsWorse {
			ew.printf("| %s | %s | %s | %s |\n", f.Severity, f.OldSeverity, f.Kind, mdEscape(f.Title))
		}
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
