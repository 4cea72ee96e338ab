package rules

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Format is an output format of a check result.
type Format string

const (
	FormatText  Format = "text"
	FormatJSON  Format = "json"
	FormatSARIF Format = "sarif"
)

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatText, FormatJSON, FormatSARIF:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want text, json or sarif)", s)
}

// WriteOptions say where the rules came from, for SARIF locations.
type WriteOptions struct {
	RulesFile string // path of the rules file as given
	Snapshot  string
	Version   string // iamreach version
}

// Write renders the result.
func (r *Result) Write(w io.Writer, f Format, o WriteOptions) error {
	switch f {
	case FormatJSON:
		return encode(w, struct {
			Passed bool `json:"passed"`
			*Result
		}{r.Passed(), r})
	case FormatSARIF:
		return encode(w, r.SARIF(o))
	}
	var b strings.Builder
	byRule := map[string]int{}
	for _, v := range r.Violations {
		byRule[v.Rule]++
	}
	for _, v := range r.Violations {
		fmt.Fprintf(&b, "FAIL %s [%s] %s\n", v.Rule, v.Severity, v.Message)
		if len(v.Route) > 1 {
			fmt.Fprintf(&b, "     path: %s\n", strings.Join(v.Route, " → "))
		}
	}
	for _, rule := range r.Rules {
		if byRule[rule.ID] == 0 {
			fmt.Fprintf(&b, "ok   %s\n", rule.ID)
		}
	}
	failed := 0
	for range byRule {
		failed++
	}
	fmt.Fprintf(&b, "%d rule(s), %d failed, %d violation(s)\n", len(r.Rules), failed, len(r.Violations))
	_, err := io.WriteString(w, b.String())
	return err
}

func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// SARIF types: the subset of SARIF 2.1.0 that code-scanning UIs read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	DefaultConfiguration map[string]string `json:"defaultConfiguration"`
	Properties           map[string]any    `json:"properties,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region *struct {
		StartLine int `json:"startLine"`
	} `json:"region,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(sev string) string {
	switch sev {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// SARIF returns the result as a SARIF 2.1.0 log: one rule per rules-file
// rule, one result per violation located at the rule's line in the rules
// file (code-scanning UIs need a file location) and, logically, at the
// AWS resource the violation is about.
func (r *Result) SARIF(o WriteOptions) any {
	drv := sarifDriver{Name: "iamreach", Version: o.Version, InformationURI: "https://github.com/iamreach/iamreach", Rules: []sarifRule{}}
	index := map[string]int{}
	for i, rule := range r.Rules {
		index[rule.ID] = i
		desc := rule.Description
		if desc == "" {
			desc = string(rule.Type)
		}
		drv.Rules = append(drv.Rules, sarifRule{
			ID: rule.ID, ShortDescription: sarifText{desc}, FullDescription: sarifText{fmt.Sprintf("%s (%s)", desc, rule.Type)},
			DefaultConfiguration: map[string]string{"level": sarifLevel(rule.Severity)},
			Properties:           map[string]any{"type": string(rule.Type), "security-severity": securitySeverity(rule.Severity)},
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: drv}, Results: []sarifResult{}}
	for _, v := range r.Violations {
		loc := sarifLocation{LogicalLocations: []sarifLogical{{FullyQualifiedName: v.Subject, Kind: "resource"}}}
		if v.Target != "" {
			loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{FullyQualifiedName: v.Target, Kind: "resource"})
		}
		if o.RulesFile != "" {
			loc.PhysicalLocation = &sarifPhysical{}
			loc.PhysicalLocation.ArtifactLocation.URI = o.RulesFile
			if v.Line > 0 {
				loc.PhysicalLocation.Region = &struct {
					StartLine int `json:"startLine"`
				}{v.Line}
			}
		}
		props := map[string]any{"subject": v.Subject}
		if v.Target != "" {
			props["target"] = v.Target
		}
		if v.Condition != "" {
			props["condition"] = v.Condition
		}
		if v.Path != nil {
			props["path"] = v.Path.Nodes
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: v.Rule, RuleIndex: index[v.Rule], Level: sarifLevel(v.Severity), Message: sarifText{v.Message},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{"iamreach/v1": v.Rule + "|" + v.Subject + "|" + v.Target},
			Properties:          props,
		})
	}
	return sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
}

// securitySeverity is GitHub code scanning's numeric severity.
func securitySeverity(sev string) string {
	switch sev {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	case "low":
		return "3.0"
	}
	return "1.0"
}
